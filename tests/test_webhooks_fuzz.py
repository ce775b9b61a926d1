"""Fuzzing the webhook: nothing a sender sends is a 5xx, and every delivery is on record.

Each strategy builds a body and, where the contract decides it, the answer it must get. Every
example is posted through Django's test client and checked against the database: an
authenticated request adds exactly one Delivery whose outcome is the answer's (200: created,
updated, duplicate or ignored, as the answer says; 400, 413, 415: rejected), and an applied one
is its result's current state. The fast run always runs; `-m slow` runs many more examples.
"""

import json
import math
import string
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db.models import Max
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from interviews.models import Delivery
from tests.conftest import SECRET, WebhookClient, payload

pytestmark = pytest.mark.django_db

FAST = hypothesis_settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
SLOW = hypothesis_settings(FAST, max_examples=200)

SAMPLE = payload("submitted.json")
APPLIED = {"created", "updated", "duplicate"}
# Free text: stored as sent, however long, within the body limit.
TEXT_FIELDS = [
    "candidate_external_id",
    "candidate_name",
    "candidate_email",
    "candidate_phone_number",
    "ai_analysis_recruiter",
    "ai_analysis",
    "reason",
]
# Enums in indexed columns: any value, but the webhook may bound their length (a 400 naming them).
STATUS_FIELDS = ["status", "interview_status", "processing_status"]
SCORE_FIELDS = ["score", "ai_analysis_recruiter_score"]
# The interpreter's own words, which an answer must never quote.
INTERPRETER_WORDS = ["int_max_str_digits", "Exceeds the limit", "Traceback"]


@dataclass
class Case:
    """A body to post and what the contract says of it (`expect`: the allowed statuses)."""

    body: bytes
    expect: frozenset[int] = frozenset({200, 400})
    secret: str | None = SECRET
    # After a 200 that applied the record: (field, value) pairs the result must then hold.
    holds: list[tuple[str, Any]] = field(default_factory=list)
    error_field: str | None = None  # a 400 must name this field
    outcomes: frozenset[str] | None = None  # the outcomes a 200 may say, when the case decides


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def a_record(result_id: str, **fields: Any) -> dict[str, Any]:
    return {**SAMPLE, "id": result_id, **fields}


result_ids = st.sampled_from([SAMPLE["id"]]) | st.uuids().map(str)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["\ud800", "\x00", "=HYPERLINK(0)", "<script>", "1e400"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def non_finite_or_surrogate(value: Any) -> bool:
    """Return whether a decoded JSON value holds something the contract always refuses."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, str):
        return "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(
            non_finite_or_surrogate(k) or non_finite_or_surrogate(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(non_finite_or_surrogate(item) for item in value)
    return False


# --- Strategies, one per kind of hostile body -----------------------------------------------


@st.composite
def raw_bytes(draw: st.DrawFn) -> Case:
    secret = draw(st.sampled_from([SECRET, SECRET, None, "wrong-secret"]))
    body = draw(st.binary(max_size=2048))
    if secret != SECRET:
        return Case(body, expect=frozenset({401}), secret=secret)
    # The test client sends an empty body without a content type: a 415.
    return Case(body, expect=frozenset({200, 400} if body else {415}))


@st.composite
def arbitrary_json(draw: st.DrawFn) -> Case:
    value = draw(st.dictionaries(st.text(max_size=12), json_values, max_size=6) | json_values)
    # json.dumps writes NaN and Infinity, which strict JSON refuses; a lone surrogate is
    # written as its \ud800 escape, which no UTF-8 text can hold.
    body = json.dumps(value).encode()
    if not isinstance(value, dict) or non_finite_or_surrogate(value):
        return Case(body, expect=frozenset({400}))
    return Case(body)


@st.composite
def wrongly_typed_records(draw: st.DrawFn) -> Case:
    """The sample with one to four of its fields replaced by any JSON value, flat or enveloped."""
    names = draw(st.lists(st.sampled_from(sorted(SAMPLE)), min_size=1, max_size=4, unique=True))
    record = a_record(draw(result_ids), **{name: draw(json_values) for name in names})
    kind = draw(st.sampled_from([None, "flat", "INSERT", "UPDATE", "DELETE"]))
    value = (
        record if kind == "flat" else {"type": kind, "table": "interview_result", "record": record}
    )
    body = json.dumps(value).encode()
    return Case(
        body, expect=frozenset({400}) if non_finite_or_surrogate(value) else frozenset({200, 400})
    )


safe_text = st.text(alphabet=string.ascii_letters + string.digits + " .-", max_size=8)
WRONG_TYPES: dict[str, st.SearchStrategy[Any]] = {
    "id": st.integers()
    | st.booleans()
    | st.text(alphabet="xyz-", max_size=40)
    | st.lists(st.none()),
    "interview_id": st.integers() | st.just("not-a-uuid") | st.dictionaries(safe_text, st.none()),
    "score": safe_text | st.booleans() | st.lists(st.integers(), max_size=2) | st.just({}),
    "ai_analysis_recruiter_score": st.just("4.2") | st.booleans(),
    "recruiter_go_next_round": st.integers() | st.sampled_from(["yes", "true", "1", ""]),
    "candidate_name": st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans(),
    "candidate_email": st.lists(safe_text, min_size=1, max_size=2) | st.just({}),
    "status": st.integers() | st.booleans(),
    "ai_analysis_recruiter_why_hire": st.integers()
    | st.lists(st.integers(), min_size=1, max_size=3),
    "pdf_export_url": st.sampled_from(
        [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://x/y.pdf",
            "//evil",
        ]
    )
    | st.integers(),
    "pdf_export_valid_until": st.integers() | st.just("not a date"),
}


@st.composite
def definitely_wrong_types(draw: st.DrawFn) -> Case:
    """One field of the sample with a value of a type the contract refuses: a 400 naming it."""
    name = draw(st.sampled_from(sorted(WRONG_TYPES)))
    record = a_record(str(draw(st.uuids())), **{name: draw(WRONG_TYPES[name])})
    enveloped = draw(st.booleans())
    value = (
        {"type": "UPDATE", "table": "interview_result", "record": record} if enveloped else record
    )
    return Case(dumps(value), expect=frozenset({400}), error_field=name)


LIMIT_OVERHEAD = len(dumps(a_record(str(uuid.UUID(int=0)))))
text_characters = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")


@st.composite
def huge_strings(draw: st.DrawFn) -> Case:
    """A text field as long as the body limit allows (or just past it: a 413)."""
    limit = django_settings.WEBHOOK_MAX_BODY_BYTES
    name = draw(st.sampled_from([*TEXT_FIELDS, *STATUS_FIELDS, "pdf_export_url", "why_hire"]))
    char = draw(text_characters)
    size = draw(
        st.integers(0, 300)
        | st.integers(0, limit)
        | st.integers(limit - LIMIT_OVERHEAD - 1200, limit - LIMIT_OVERHEAD + 200)
    )
    count = max(size // len(char.encode()), 0)
    value: Any = char * count
    if name == "pdf_export_url":
        value = "https://example.com/" + "a" * count
    kept = value
    if name == "why_hire":
        name, value = "ai_analysis_recruiter_why_hire", [value]
        kept = [item.strip() for item in value if item.strip()]
    body = dumps(a_record(str(draw(st.uuids())), **{name: value}))
    if len(body) > limit:
        return Case(body, expect=frozenset({413}))
    if name in STATUS_FIELDS:
        return Case(body, expect=frozenset({200, 400}), holds=[(name, kept)], error_field=name)
    return Case(body, expect=frozenset({200}), holds=[(name, kept)])


@st.composite
def deep_nesting(draw: st.DrawFn) -> Case:
    depth = draw(st.integers(1, 20) | st.integers(1, 5000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    nested = opener * depth + "0" + closer * depth
    where = draw(st.sampled_from(["field", "top", "unclosed"]))
    if where == "top":
        return Case(nested.encode(), expect=frozenset({400}))
    if where == "unclosed":
        return Case((opener * depth).encode(), expect=frozenset({400}))
    record = json.dumps(a_record(str(draw(st.uuids()))))
    body = (record[:-1] + ', "extra": ' + nested + "}").encode()
    if depth <= 16:
        return Case(body, expect=frozenset({200}))
    if depth >= 100:
        return Case(body, expect=frozenset({400}))
    return Case(body)


INVALID_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\xc3\x28",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xe2\x82",
    b"\xf8\x88\x80\x80\x80",
    b"\x80",
]


@st.composite
def invalid_utf8(draw: st.DrawFn) -> Case:
    body = dumps(a_record(str(draw(st.uuids())), candidate_name="Zoë Ångström"))
    at = draw(st.integers(0, len(body)))
    bad = draw(st.sampled_from(INVALID_UTF8))
    return Case(body[:at] + bad + body[at:], expect=frozenset({400}), error_field="body")


@st.composite
def surrogate_escapes(draw: st.DrawFn) -> Case:
    r"""Strings written with \u escapes: a lone surrogate is a 400 anywhere; pairs are fine."""
    units = draw(
        st.lists(
            st.integers(0xD800, 0xDFFF) | st.sampled_from([0x41, 0xE9, 0x263A]),
            min_size=1,
            max_size=6,
        )
    )
    pair = draw(st.booleans())
    if pair:  # Also well-formed text, to show the rule refuses only lone surrogates.
        units = [0x41, 0xD83D, 0xDE00, *[u for u in units if not 0xD800 <= u <= 0xDFFF]]
    escaped = "".join(f"\\u{unit:04x}" for unit in units)
    text = from_utf16(units) if well_formed(units) else None
    where = draw(st.sampled_from(["candidate_name", "ai_analysis", "unknown", "key", "nested"]))
    record = json.dumps(a_record(str(draw(st.uuids()))))[:-1]
    if where == "key":
        body = f'{record}, "{escaped}": 1}}'
    elif where == "unknown":
        body = f'{record}, "extra": "{escaped}"}}'
    elif where == "nested":
        body = f'{record}, "extra": [{{"a": ["{escaped}"]}}]}}'
    else:
        body = record.replace(json.dumps(SAMPLE[where]), f'"{escaped}"') + "}"
    if text is None:
        return Case(body.encode(), expect=frozenset({400}), error_field="body")
    holds = [(where, text)] if where in ("candidate_name", "ai_analysis") else []
    return Case(body.encode(), expect=frozenset({200}), holds=holds)


def from_utf16(units: list[int]) -> str:
    """Return the text that well-formed UTF-16 code units spell (pairs joined)."""
    return "".join(map(chr, units)).encode("utf-16-le", "surrogatepass").decode("utf-16-le")


def well_formed(units: list[int]) -> bool:
    """Return whether UTF-16 code units pair every surrogate (high then low)."""
    index = 0
    while index < len(units):
        unit = units[index]
        if 0xD800 <= unit <= 0xDBFF:
            if index + 1 < len(units) and 0xDC00 <= units[index + 1] <= 0xDFFF:
                index += 2
                continue
            return False
        if 0xDC00 <= unit <= 0xDFFF:
            return False
        index += 1
    return True


DUPLICABLE: dict[str, st.SearchStrategy[Any]] = {
    "id": st.uuids().map(str),
    "candidate_name": st.text(alphabet=string.ascii_letters + " ", min_size=1, max_size=12),
    "score": st.floats(0, 7, allow_nan=False),
}


@st.composite
def duplicate_keys(draw: st.DrawFn) -> Case:
    """A key sent twice: refused, or the last one wins (as every JSON parser reads it)."""
    name = draw(st.sampled_from(sorted(DUPLICABLE)))
    first, last = draw(DUPLICABLE[name]), draw(DUPLICABLE[name])
    record = a_record(str(draw(st.uuids())))
    record.pop(name)
    text = json.dumps(record)[:-1]
    body = (
        f"{text}, {json.dumps(name)}: {json.dumps(first)}, {json.dumps(name)}: {json.dumps(last)}}}"
    )
    return Case(body.encode(), expect=frozenset({200, 400}), holds=[(name, last)])


@st.composite
def number_literals(draw: st.DrawFn) -> str:
    sign = draw(st.sampled_from(["", "-"]))
    digits = draw(
        st.integers(1, 20) | st.integers(300, 320) | st.integers(4200, 5000) | st.integers(1, 400)
    )
    integer = draw(st.sampled_from("123456789")) + "7" * (digits - 1)
    fraction = draw(st.sampled_from(["", ".5", ".000001"]))
    exponent = draw(st.sampled_from(["", "e400", "E+308", "e308", "e-400", "e-5", "e310"]))
    return sign + integer + fraction + exponent


@st.composite
def huge_numbers(draw: st.DrawFn) -> Case:
    """One number rule for the whole document: a number that is not a finite double is a 400
    anywhere; any finite one is fine where a number may stand."""
    literal = draw(number_literals())
    where = draw(st.sampled_from(["unknown", "nested", "score", "envelope"]))
    record = json.dumps(a_record(str(draw(st.uuids()))))[:-1]
    if where == "unknown":
        body = f'{record}, "extra_number": {literal}}}'
    elif where == "nested":
        body = f'{record}, "extra": {{"list": [1, {literal}]}}}}'
    elif where == "score":
        body = f'{record}, "score": {literal}}}'.replace(f'"score": {SAMPLE["score"]}, ', "")
    else:
        envelope = '{"type": "UPDATE", "table": "interview_result", "sent_at": %s, "record": %s}}'
        body = envelope % (literal, record)
    finite = math.isfinite(float(Decimal(literal)))
    holds = [("score", float(Decimal(literal)))] if where == "score" and finite else []
    return Case(body.encode(), expect=frozenset({200} if finite else {400}), holds=holds)


@st.composite
def envelopes(draw: st.DrawFn) -> Case:
    """Legacy envelopes, also with an id of their own: an applied envelope applies its record,
    never the envelope itself; other types and tables are stored and ignored."""
    record = a_record(str(draw(st.uuids())))
    envelope: dict[str, Any] = {}
    if draw(st.booleans()):
        envelope["id"] = str(draw(st.uuids()))
    kind = draw(st.sampled_from([None, "INSERT", "UPDATE", "update", "DELETE", "TRUNCATE"]))
    table = draw(st.sampled_from([None, "interview_result", "other_table"]))
    envelope.update(type=kind, table=table)
    sent_record = draw(st.sampled_from(["valid", "absent", "null", "array"]))
    if sent_record != "absent":
        envelope["record"] = {"valid": record, "null": None, "array": [record]}[sent_record]
    if draw(st.booleans()):
        envelope["old_record"] = record
    body = dumps(envelope)
    if "id" in envelope and not {"record", "old_record"} & envelope.keys():
        return Case(body)  # a flat record with unknown fields "type" and "table", or not
    if (kind or "UPDATE").upper() not in {"INSERT", "UPDATE"} or table == "other_table":
        return Case(body, expect=frozenset({200}), outcomes=frozenset({"ignored"}))
    if sent_record != "valid":
        return Case(body, expect=frozenset({400}))
    return Case(
        body,
        expect=frozenset({200}),
        outcomes=frozenset(APPLIED),
        holds=[("id", record["id"]), ("candidate_name", record["candidate_name"])],
    )


STRATEGIES: dict[str, st.SearchStrategy[Case]] = {
    "raw bytes": raw_bytes(),
    "arbitrary JSON": arbitrary_json(),
    "records with wrongly typed fields": wrongly_typed_records(),
    "definitely wrong types": definitely_wrong_types(),
    "huge strings": huge_strings(),
    "deep nesting": deep_nesting(),
    "invalid UTF-8": invalid_utf8(),
    "lone surrogates": surrogate_escapes(),
    "duplicate keys": duplicate_keys(),
    "huge numbers": huge_numbers(),
    "envelopes": envelopes(),
}


# --- The oracle -----------------------------------------------------------------------------


def post_and_check(webhook: WebhookClient, case: Case) -> None:
    """Post one case and check the answer and the database against each other."""
    last_pk = Delivery.objects.aggregate(last=Max("pk"))["last"] or 0
    response = webhook.post(case.body, secret=case.secret)

    status = response.status_code
    assert status < 500, response.content[:500]
    assert status in case.expect, (status, response.content[:500])
    new = list(Delivery.objects.filter(pk__gt=last_pk))
    if case.secret != SECRET:
        assert new == []
        return
    assert len(new) == 1, "an authenticated request is stored exactly once"
    [delivery] = new
    data = response.json()
    if status != 200:
        assert delivery.outcome == Delivery.Outcome.REJECTED
        assert isinstance(data["errors"], dict) and data["errors"]
        assert delivery.error == data["errors"]
        assert not any(word in response.content.decode() for word in INTERPRETER_WORDS)
        if status == 400 and case.error_field:
            assert case.error_field in data["errors"], data["errors"]
        return

    assert data["outcome"] == delivery.outcome
    assert delivery.outcome in APPLIED | {"ignored"}
    if case.outcomes is not None:
        assert delivery.outcome in case.outcomes, (delivery.outcome, case.outcomes)
    assert bytes(delivery.body) == case.body
    if delivery.outcome not in APPLIED:
        assert delivery.result_id is None or delivery.late_retry
        return
    result = delivery.result
    assert result is not None
    result.refresh_from_db()
    assert data["id"] == str(result.pk)
    assert result.record_hash == delivery.record_hash
    if delivery.outcome != "duplicate":
        assert result.current_delivery_id == delivery.pk
    for name, value in case.holds:
        if name == "id":
            assert data["id"] == value
        else:
            assert getattr(result, name) == value, name


def fuzz(
    config: hypothesis_settings, webhook: WebhookClient, strategy: st.SearchStrategy[Case]
) -> None:
    @config
    @given(case=strategy)
    def check(case: Case) -> None:
        post_and_check(webhook, case)

    check()


@pytest.mark.parametrize("kind", list(STRATEGIES))
def test_it_never_answers_5xx_and_stores_each_delivery_once(webhook: WebhookClient, kind: str):
    fuzz(FAST, webhook, STRATEGIES[kind])


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(STRATEGIES))
def test_it_holds_for_many_more_examples(webhook: WebhookClient, kind: str):
    fuzz(SLOW, webhook, STRATEGIES[kind])


# --- The oracle can fail ----------------------------------------------------------------------


def test_the_oracle_catches_a_delivery_that_is_not_stored(webhook: WebhookClient, monkeypatch: Any):
    """A webhook that answered 200 without storing would not pass post_and_check."""
    from interviews import webhooks

    def answer_without_storing(*, body: bytes, **_: Any) -> Any:
        class Receipt:
            outcome = "created"
            result_id = SAMPLE["id"]

        return Receipt()

    monkeypatch.setattr(webhooks, "delivery_receive", answer_without_storing)
    with pytest.raises(AssertionError, match="stored exactly once"):
        post_and_check(webhook, Case(dumps(SAMPLE), expect=frozenset({200})))
