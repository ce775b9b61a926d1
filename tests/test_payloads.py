"""interviews.payloads: strict JSON, the record's types, reasons and the canonical hash."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from interviews.payloads import (
    RECORD_FIELDS,
    PayloadError,
    canonical_hash,
    parse_delivery,
    parse_json,
    split_reasons,
)
from tests.conftest import payload, payload_bytes


def errors_of(body: bytes) -> dict:
    with pytest.raises(PayloadError) as caught:
        parse_delivery(body)
    return caught.value.errors


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        ("   ", []),
        ("One", ["One"]),
        ("One; two", ["One", "two"]),
        ("One\ntwo\r\nthree;;", ["One", "two", "three"]),
        (" a ;\n; b ", ["a", "b"]),
        (["Kept; whole", " trimmed ", ""], ["Kept; whole", "trimmed"]),
        ([], []),
    ],
)
def test_it_splits_reasons_on_line_breaks_and_semicolons(value, expected):
    assert split_reasons(value) == expected


def test_it_parses_the_submitted_sample_into_typed_fields():
    parsed = parse_delivery(payload_bytes("submitted.json"))

    assert parsed.ignored is False
    assert parsed.envelope_type == ""
    assert parsed.result_id == "912ff898-2e65-4a31-8ff5-d3c59005eb97"
    assert parsed.fields is not None
    assert parsed.fields["id"] == uuid.UUID(parsed.result_id)
    assert parsed.fields["interview_id"] == uuid.UUID("8ede1f10-b176-4a0e-a711-84e0ec876ed6")
    assert parsed.fields["score"] == 5.12
    assert parsed.fields["recruiter_go_next_round"] is None
    assert set(parsed.fields) == {"id", *RECORD_FIELDS}


def test_it_treats_an_absent_field_as_null_and_absent_reasons_as_empty():
    parsed = parse_delivery(b'{"id": "912ff898-2e65-4a31-8ff5-d3c59005eb97", "status": "draft"}')

    assert parsed.fields is not None
    assert parsed.fields["score"] is None
    assert parsed.fields["interview_status"] is None
    assert parsed.fields["ai_analysis_recruiter_why_hire"] == []


def test_it_stores_an_integer_score_as_a_float():
    parsed = parse_delivery(json.dumps({**payload("submitted.json"), "score": 5}).encode())

    assert parsed.fields is not None
    assert parsed.fields["score"] == 5.0
    assert isinstance(parsed.fields["score"], float)


def test_it_accepts_a_utf8_byte_order_mark():
    parsed = parse_delivery(b"\xef\xbb\xbf" + payload_bytes("submitted.json"))

    assert parsed.result_id == payload("submitted.json")["id"]


def test_it_reads_the_legacy_envelope_timestamp_as_an_aware_datetime():
    parsed = parse_delivery(payload_bytes("legacy-envelope.json"))

    assert parsed.envelope_type == "UPDATE"
    assert parsed.fields is not None
    valid_until = parsed.fields["pdf_export_valid_until"]
    assert valid_until == datetime(2026, 12, 6, 5, 30, 19, 961000, tzinfo=UTC)


def test_it_hashes_the_record_not_its_key_order_or_envelope():
    record = payload("submitted.json")
    reordered = dict(reversed(list(record.items())))
    enveloped = {"type": "UPDATE", "table": "interview_result", "record": record}

    flat_hash = parse_delivery(json.dumps(record).encode()).record_hash
    assert parse_delivery(json.dumps(reordered, indent=4).encode()).record_hash == flat_hash
    assert parse_delivery(json.dumps(enveloped).encode()).record_hash == flat_hash
    assert flat_hash == canonical_hash(record)


def test_it_hashes_a_null_field_like_an_absent_one():
    record = payload("submitted.json")
    absent = {key: value for key, value in record.items() if value is not None}

    assert "recruiter_go_next_round" not in absent
    assert canonical_hash(absent) == canonical_hash(record)


def test_it_hashes_any_change_of_a_field_differently():
    record = payload("submitted.json")

    assert canonical_hash({**record, "score": 5.13}) != canonical_hash(record)
    assert canonical_hash({**record, "recruiter_go_next_round": False}) != canonical_hash(record)


def test_it_names_every_wrong_field_at_once():
    record = {**payload("submitted.json"), "score": "high", "recruiter_go_next_round": "yes"}

    errors = errors_of(json.dumps(record).encode())

    assert set(errors) == {"score", "recruiter_go_next_round"}
    assert errors["score"] == ["Must be a JSON number."]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_it_refuses_the_non_standard_json_constants(constant):
    with pytest.raises(PayloadError) as caught:
        parse_json(f'{{"score": {constant}}}'.encode())

    assert list(caught.value.errors) == ["body"]


def test_it_refuses_nesting_deeper_than_its_limit_but_not_at_it():
    assert parse_json(b"[" * 33 + b"]" * 33) is not None
    with pytest.raises(PayloadError):
        parse_json(b"[" * 34 + b"]" * 34)


def test_it_ignores_a_delete_envelope_and_names_the_result_from_old_record():
    body = json.dumps({"type": "DELETE", "old_record": payload("submitted.json")}).encode()

    parsed = parse_delivery(body)

    assert parsed.ignored is True
    assert parsed.fields is None
    assert parsed.envelope_type == "DELETE"
    assert parsed.result_id == payload("submitted.json")["id"]


def test_it_refuses_an_envelope_type_that_is_not_a_string():
    body = json.dumps({"type": 1, "record": payload("submitted.json")}).encode()

    assert errors_of(body) == {"type": ["Must be a string."]}


def test_it_reads_a_record_with_an_id_and_a_record_field_as_flat():
    record = {**payload("submitted.json"), "record": {"anything": 1}}

    parsed = parse_delivery(json.dumps(record).encode())

    assert parsed.envelope_type == ""
    assert parsed.result_id == record["id"]


def test_it_refuses_a_time_that_overflows_in_utc_whatever_the_local_time_zone(settings):
    # In Los Angeles this is still year 9999; stored as UTC it would be year 10000.
    settings.TIME_ZONE = "America/Los_Angeles"
    record = {**payload("submitted.json"), "pdf_export_valid_until": "9999-12-31T23:00:00-05:00"}

    errors = errors_of(json.dumps(record).encode())

    assert list(errors) == ["pdf_export_valid_until"]
