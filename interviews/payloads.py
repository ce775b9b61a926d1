"""Validate a webhook body: strict JSON, the flat record or the legacy envelope, typed fields.

Nothing here touches the database. `parse_delivery` turns raw bytes into a `ParsedDelivery` or
raises `PayloadError` with field errors for the 400 answer.
"""

import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

MAX_NESTING = 32
# The three statuses are enums (a few words) stored in btree-indexed columns, and PostgreSQL's
# btree refuses an entry over about 2.7 KB: a longer status is refused with a 400 naming the
# field, rather than failing the insert. Every other text is stored as sent, however long.
STATUS_MAX_BYTES = 1000
# Beyond this many digits an integer cannot be a finite double (about 1.8e308), so the number
# rule refuses it without converting it (which Python caps at sys.get_int_max_str_digits()).
MAX_INTEGER_DIGITS = 400
# Envelope types whose record is the result's new state; any other type is stored and ignored.
APPLIED_ENVELOPE_TYPES = {"INSERT", "UPDATE"}
# Delivery.envelope_type's column width: a longer type a sender invents is stored cut short.
ENVELOPE_TYPE_MAX_LENGTH = 20
HTTP_URL = re.compile(r"https?://\S+", re.IGNORECASE)


class PayloadError(Exception):
    """The body is not a delivery we can apply; `errors` maps a field (or "body") to messages."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class ParsedDelivery:
    record: dict[str, Any] | None  # the record as sent (None when there is none)
    fields: dict[str, Any] | None  # typed model values, None for an ignored delivery
    record_hash: str
    envelope_type: str  # "" for a flat record
    ignored: bool
    result_id: str | None


# --- Strict field types -----------------------------------------------------------------------


class StrictCharField(serializers.CharField):
    """A JSON string, never a number or a boolean coerced to one."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.")
        return super().to_internal_value(data)


class StatusField(StrictCharField):
    """A platform status: any string (a new value is stored as sent) of at most
    STATUS_MAX_BYTES bytes in UTF-8."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if len(value.encode("utf-8")) > STATUS_MAX_BYTES:
            raise serializers.ValidationError(
                f"Must be at most {STATUS_MAX_BYTES} bytes: a status is one of a few short values."
            )
        return value


class StrictUUIDField(serializers.UUIDField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a UUID string.")
        return super().to_internal_value(data)


class StrictNumberField(serializers.Field):
    """A finite JSON number; strings and booleans are refused, whatever they look like."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise serializers.ValidationError("Must be a JSON number.")
        try:
            value = float(data)
        except OverflowError:
            raise serializers.ValidationError("Number is out of range.") from None
        if not math.isfinite(value):
            raise serializers.ValidationError("Number is out of range.")
        return value

    def to_representation(self, value: Any) -> Any:
        return value


class StrictBooleanField(serializers.Field):
    """true, false or null; never "yes", 1 or "true"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            raise serializers.ValidationError("Must be true, false or null.")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


REASON_SEPARATORS = re.compile(r"[\r\n;]+")


def split_reasons(value: str | list[str] | None) -> list[str]:
    """Return reasons as a list: one string is split on line breaks and semicolons."""
    if value is None:
        return []
    items = value if isinstance(value, list) else REASON_SEPARATORS.split(value)
    return [item.strip() for item in items if item.strip()]


class ReasonsField(serializers.Field):
    """A list of strings, or one string of reasons; null and "" are an empty list."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, str):
            return split_reasons(data)
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return split_reasons(data)
        raise serializers.ValidationError("Must be a list of strings or a string.")

    def to_representation(self, value: Any) -> Any:
        return value


class HttpUrlField(StrictCharField):
    """An http(s) URL: the dashboard links to it, so no javascript: or data: URLs."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value and not HTTP_URL.fullmatch(value):
            raise serializers.ValidationError("Must be an http or https URL.")
        return value


class StrictDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise serializers.ValidationError("Must be an ISO 8601 date-time string.")
        return super().to_internal_value(value)


class ResultRecordSerializer(serializers.Serializer):
    """Every field of the platform's interview-result record (PLATFORM.md), strictly typed.

    Unknown fields are not errors: they stay in the stored body. Enum fields take any string, so
    a value the platform adds later is stored as sent.
    """

    id = StrictUUIDField()
    interview_id = StrictUUIDField(required=False, allow_null=True)
    question_set_id = StrictUUIDField(required=False, allow_null=True)
    status = StatusField()
    interview_status = StatusField()
    processing_status = StatusField()
    profile_interview_id = StrictUUIDField(required=False, allow_null=True)
    profile_id = StrictUUIDField(required=False, allow_null=True)
    candidate_external_id = StrictCharField()
    candidate_name = StrictCharField()
    candidate_email = StrictCharField()
    candidate_phone_number = StrictCharField()
    recruiter_go_next_round = StrictBooleanField()
    score = StrictNumberField()
    ai_analysis_recruiter_score = StrictNumberField()
    ai_analysis_recruiter = StrictCharField()
    ai_analysis = StrictCharField()
    ai_analysis_recruiter_why_hire = ReasonsField()
    ai_analysis_recruiter_why_not_hire = ReasonsField()
    pdf_export_url = HttpUrlField()
    pdf_export_valid_until = StrictDateTimeField(required=False, allow_null=True)
    reason = StrictCharField()


# The record fields that become InterviewResult columns, in the payload's names.
RECORD_FIELDS: list[str] = [name for name in ResultRecordSerializer().get_fields() if name != "id"]
RECORD_FIELD_NAMES = frozenset(RECORD_FIELDS)
ENVELOPE_KEYS = frozenset({"record", "old_record", "table"})
# The fields holding UUIDs, which the hash compares in one spelling (lower case, with hyphens).
UUID_FIELDS: list[str] = [
    name
    for name, field in ResultRecordSerializer().get_fields().items()
    if isinstance(field, serializers.UUIDField)
]


# --- Parsing ----------------------------------------------------------------------------------


NUMBER_OUT_OF_RANGE = "Numbers must be finite and within the range of a double (about 1.8e308)."


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _bounded_int(text: str) -> int | float:
    """Read an integer, or inf for one no double can hold (the number rule then refuses it).

    Never int() of thousands of digits: that costs quadratic time and raises an error quoting
    the interpreter's settings (sys.set_int_max_str_digits).
    """
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        return math.inf
    value = int(text)
    try:
        float(value)
    except OverflowError:
        return math.inf
    return value


def _check_values(value: Any, depth: int = 0, path: str = "") -> None:
    """Refuse what JSON allows but a database cannot store, and absurd nesting.

    One number rule for the whole document, known fields and unknown ones alike: every number
    is a finite double (1e400 would become inf, which no field holds and the admin would show
    as Infinity). The error names where the number is ("score", "record.score", "extra.0").
    """
    if depth > MAX_NESTING:
        raise PayloadError({"body": [f"JSON is nested more than {MAX_NESTING} levels deep."]})
    if isinstance(value, str):
        if "\x00" in value:
            raise PayloadError({"body": ["Strings must not contain the NUL character."]})
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PayloadError({"body": ["Strings must be valid Unicode."]}) from None
    elif isinstance(value, float) and not math.isfinite(value):
        raise PayloadError({path or "body": [NUMBER_OUT_OF_RANGE]})
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_values(key, depth + 1, path)
            _check_values(item, depth + 1, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_values(item, depth + 1, f"{path}.{index}" if path else str(index))


def parse_json(body: bytes) -> Any:
    """Return the body's JSON value; strict: UTF-8, no NaN or Infinity, bounded nesting."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError({"body": ["Body is not valid UTF-8."]}) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
        )
    except RecursionError:
        raise PayloadError({"body": ["JSON is nested too deeply."]}) from None
    except ValueError as exc:
        raise PayloadError({"body": [f"Body is not valid JSON: {exc}"]}) from None
    _check_values(value)
    return value


def canonical_hash(record: dict[str, Any]) -> str:
    """Return the SHA-256 of the record as canonical JSON (keys sorted, nulls dropped).

    A field absent from a snapshot means null, so a null field and an absent one hash alike.
    """
    significant = {key: value for key, value in record.items() if value is not None}
    text = json.dumps(significant, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _result_id(record: Any) -> str | None:
    if isinstance(record, dict) and isinstance(record.get("id"), str):
        return record["id"]
    return None


def validate_record(record: Any) -> dict[str, Any]:
    """Return the record's typed values (payload names) or raise PayloadError."""
    if not isinstance(record, dict):
        raise PayloadError({"body": ["Expected a JSON object with the result's fields."]})
    serializer = ResultRecordSerializer(data=record)
    if not serializer.is_valid():
        raise PayloadError(
            {
                field: [str(message) for message in messages]
                for field, messages in serializer.errors.items()
            }
        )
    values = dict(serializer.validated_data)
    if all(values.get(name) in (None, "", []) for name in RECORD_FIELDS):
        # Nothing to show but an id: a malformed delivery, never an empty result to keep.
        raise PayloadError({"body": ["The record has no field besides its id."]})
    # A full snapshot: an absent field is null (reasons: an empty list).
    return {
        "id": values["id"],
        **{name: values.get(name) for name in RECORD_FIELDS},
        "ai_analysis_recruiter_why_hire": values.get("ai_analysis_recruiter_why_hire") or [],
        "ai_analysis_recruiter_why_not_hire": values.get("ai_analysis_recruiter_why_not_hire")
        or [],
    }


def parse_delivery(body: bytes) -> ParsedDelivery:
    """Parse and validate a webhook body, flat or enveloped."""
    data = parse_json(body)
    if not isinstance(data, dict):
        raise PayloadError({"body": ["Expected a JSON object, the result record or its envelope."]})

    envelope_type = ""
    record: Any = data
    # A database-change envelope; a DELETE may carry only old_record, or no record at all. An
    # envelope may have an `id` of its own (an event id, not the result's), but never the
    # record's fields, which a flat record has (and may then have an unknown `record` field).
    if ENVELOPE_KEYS & data.keys() and not RECORD_FIELD_NAMES & data.keys():
        kind = data.get("type")
        if kind is not None and not isinstance(kind, str):
            raise PayloadError({"type": ["Must be a string."]})
        envelope_type = (kind or "").upper()
        table = data.get("table")
        record = data.get("record")
        if (envelope_type and envelope_type not in APPLIED_ENVELOPE_TYPES) or (
            table is not None and table != "interview_result"
        ):
            # A DELETE (or another table): stored and acknowledged, never applied.
            old = data.get("old_record")
            about = record if isinstance(record, dict) else old
            return ParsedDelivery(
                record=about if isinstance(about, dict) else None,
                fields=None,
                record_hash="",
                envelope_type=(envelope_type or "?")[:ENVELOPE_TYPE_MAX_LENGTH],
                ignored=True,
                result_id=_result_id(about),
            )
        if not isinstance(record, dict):
            raise PayloadError({"record": ["Expected a JSON object with the result's fields."]})
        envelope_type = envelope_type or "UPDATE"

    fields = validate_record(record)
    return ParsedDelivery(
        record=record,
        fields=fields,
        record_hash=canonical_hash(
            {**record, **{name: str(fields[name]) for name in UUID_FIELDS if fields[name]}}
        ),
        envelope_type=envelope_type,
        ignored=False,
        result_id=str(fields["id"]),
    )
