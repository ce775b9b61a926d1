"""Apply deliveries to results: the one path for data into the product.

The webhook and `seed_demo` call `delivery_receive`; `replay_deliveries` and the admin's replay
action call `delivery_replay`; all of them end in `delivery_apply`. Each delivery is applied in
one transaction with its result's row locked, so concurrent deliveries of one result queue up
and none is lost.
"""

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from interviews.models import Delivery, Interview, InterviewResult, derive_event
from interviews.payloads import RECORD_FIELDS, ParsedDelivery, PayloadError, parse_delivery
from interviews.privacy import body_result_ids, delivery_strip_for_erased, result_is_erased
from interviews.reports import report_archive_request

logger = logging.getLogger("interviews.ingest")

# Delivery.body_size is a PositiveIntegerField; a sender may declare any Content-Length.
MAX_RECORDED_SIZE = 2**31 - 1


@dataclass(frozen=True)
class Receipt:
    """What applying a delivery did; `result_id` is the id the record names (also when the
    delivery was ignored and touched no result)."""

    delivery: Delivery
    result_id: str | None

    @property
    def outcome(self) -> str:
        return self.delivery.outcome


def delivery_receive(
    *,
    body: bytes,
    headers: dict[str, str] | None = None,
    source_ip: str | None = None,
    received_at: datetime | None = None,
) -> Receipt:
    """Store one delivery's body and apply it."""
    delivery = Delivery(
        body=body,
        body_size=len(body),
        body_sha256=hashlib.sha256(body).hexdigest(),
        headers=headers or {},
        source_ip=source_ip,
        received_at=received_at or timezone.now(),
    )
    return delivery_apply(delivery=delivery)


def delivery_reject(
    *,
    body: bytes,
    errors: dict[str, Any],
    headers: dict[str, str],
    source_ip: str | None,
    size: int | None = None,
) -> Delivery:
    """Record a delivery refused before parsing (too large, wrong content type).

    A body over the size limit is passed as its first KiB with its full `size`.
    """
    started = time.monotonic()
    size = len(body) if size is None else size
    delivery = Delivery(
        body=body,
        body_size=min(size, MAX_RECORDED_SIZE),
        body_sha256=hashlib.sha256(body).hexdigest(),
        body_truncated=size > len(body),
        headers=headers,
        source_ip=source_ip,
        received_at=timezone.now(),
        outcome=Delivery.Outcome.REJECTED,
        error=errors,
    )
    if _names_erased_result(body):
        delivery_strip_for_erased(delivery=delivery)
    delivery.save()
    _log(delivery, started=started)
    return delivery


def delivery_apply(*, delivery: Delivery) -> Receipt:
    """Parse the delivery's stored body, apply it to its result and save the delivery.

    Works for a new delivery and for a stored one being replayed.
    """
    started = time.monotonic()
    if delivery.body_truncated:
        raise ValueError("An oversized delivery kept only its first KiB and cannot be applied.")
    if delivery.body_dropped:
        raise ValueError("This delivery's body was dropped and cannot be applied.")
    delivery.error = None
    delivery.changes = []
    delivery.late_retry = False
    try:
        parsed = parse_delivery(bytes(delivery.body))
    except PayloadError as exc:
        # Not a valid record, but perhaps still about an erased result: then keep none of it.
        erased_id = _names_erased_result(bytes(delivery.body))
        if erased_id:
            return _ignore_erased(delivery=delivery, result_id=erased_id, started=started)
        delivery.outcome = Delivery.Outcome.REJECTED
        delivery.error = exc.errors
        delivery.result = None
        delivery.record_hash = ""
        delivery.save()
        _log(delivery, started=started)
        return Receipt(delivery=delivery, result_id=None)

    # An erased result stays erased: the platform's re-sends are acknowledged and kept by their
    # size and hash only (one primary-key lookup).
    if result_is_erased(result_id=parsed.result_id):
        return _ignore_erased(delivery=delivery, result_id=parsed.result_id, started=started)
    delivery.envelope_type = parsed.envelope_type
    delivery.record_hash = parsed.record_hash
    if parsed.ignored:
        delivery.outcome = Delivery.Outcome.IGNORED
        delivery.result = None
        delivery.save()
    else:
        try:
            _apply_record(delivery=delivery, parsed=parsed)
        except _ErasedMeanwhile:
            return _ignore_erased(delivery=delivery, result_id=parsed.result_id, started=started)
    _log(delivery, started=started)
    return Receipt(delivery=delivery, result_id=parsed.result_id)


def _names_erased_result(body: bytes) -> str | None:
    """Return the erased result id a body that is not a valid record names, if any."""
    return next((rid for rid in body_result_ids(body) if result_is_erased(result_id=rid)), None)


def _ignore_erased(*, delivery: Delivery, result_id: str | None, started: float) -> Receipt:
    delivery_strip_for_erased(delivery=delivery)
    delivery.outcome = Delivery.Outcome.IGNORED
    delivery.result = None
    delivery.save()
    _log(delivery, started=started)
    return Receipt(delivery=delivery, result_id=result_id)


class _ErasedMeanwhile(Exception):
    """The result was erased while this delivery waited for its row: undo the insert."""


REPLAYABLE = {Delivery.Outcome.REJECTED, Delivery.Outcome.IGNORED}


def delivery_replay(*, delivery: Delivery) -> str:
    """Re-apply a stored delivery that was not applied, and return its new outcome.

    "skipped" for a delivery that was applied already (its effect and its changes are in the
    result's history, which a second application would rewrite), for an oversized one and for
    one whose body was dropped (retention or erasure).
    """
    if delivery.body_truncated or delivery.body_dropped or delivery.outcome not in REPLAYABLE:
        return "skipped"
    delivery.replayed_at = timezone.now()
    return delivery_apply(delivery=delivery).outcome


def _apply_record(*, delivery: Delivery, parsed: ParsedDelivery) -> None:
    assert parsed.fields is not None
    fields = parsed.fields
    result_id: uuid.UUID = fields["id"]
    now = delivery.received_at

    with transaction.atomic():
        if fields["interview_id"] is not None:
            Interview.objects.bulk_create(
                [Interview(id=fields["interview_id"])], ignore_conflicts=True
            )
        # Insert an empty row unless one exists (ON CONFLICT DO NOTHING), then lock the row: a
        # concurrent first delivery of the same result waits here instead of failing on the
        # primary key. An empty record_hash marks a row that no delivery has applied yet.
        InterviewResult.objects.bulk_create(
            [InterviewResult(id=result_id, first_received_at=now, last_received_at=now)],
            ignore_conflicts=True,
        )
        result = InterviewResult.objects.select_for_update().get(pk=result_id)

        created = result.record_hash == ""
        if created and result_is_erased(result_id=result_id):
            # An erasure committed after the check in delivery_apply, while this waited.
            raise _ErasedMeanwhile
        if delivery.replayed_at is not None and _superseded(result, delivery):
            # Arrival order: a replayed delivery never rolls back a state that a delivery
            # received after it has set.
            delivery.outcome = Delivery.Outcome.IGNORED
            delivery.late_retry = True
            delivery.error = {"replay": ["A delivery received later already set this result."]}
            delivery.result = result
            delivery.save()
            return
        if result.record_hash == parsed.record_hash:
            delivery.outcome = Delivery.Outcome.DUPLICATE
        else:
            delivery.outcome = Delivery.Outcome.CREATED if created else Delivery.Outcome.UPDATED
            if not created:
                delivery.changes = _changes(result, fields)
                delivery.late_retry = (
                    Delivery.objects.filter(result=result, record_hash=parsed.record_hash)
                    .exclude(pk=delivery.pk)
                    .exists()
                )
        delivery.result = result
        delivery.save()

        if delivery.outcome == Delivery.Outcome.DUPLICATE:
            result.last_received_at = max(result.last_received_at, now)
            result.save(update_fields=["last_received_at"])
            return

        for name in RECORD_FIELDS:
            setattr(result, name, fields[name])
        result.event = derive_event(result.status, result.interview_status)
        result.was_submitted = result.was_submitted or result.event == "submitted"
        result.record_hash = parsed.record_hash
        result.current_delivery = delivery
        result.last_received_at = max(result.last_received_at, now)
        result.save()

        # A new report link: keep a copy (downloaded by a worker once this commits).
        link_changed = any(change["field"] == "pdf_export_url" for change in delivery.changes)
        if result.pdf_export_url and (created or link_changed):
            report_archive_request(result_id=result.pk, url=result.pdf_export_url)


def _superseded(result: InterviewResult, delivery: Delivery) -> bool:
    """Return whether the result's current state came from a delivery received after this one."""
    if result.current_delivery_id is None:
        return False
    current = Delivery.objects.filter(pk=result.current_delivery_id).values_list(
        "received_at", flat=True
    )
    return any(received_at > delivery.received_at for received_at in current)


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _changes(result: InterviewResult, fields: dict[str, Any]) -> list[dict[str, Any]]:
    """Return [{"field", "old", "new"}] for each payload field whose value differs."""
    changes = []
    for name in RECORD_FIELDS:
        old, new = getattr(result, name), fields[name]
        if old != new:
            changes.append({"field": name, "old": _jsonable(old), "new": _jsonable(new)})
    return changes


def _log(delivery: Delivery, *, started: float) -> None:
    """Log one line per delivery, also as `extra` fields for structured log handlers.

    No personal data and no secrets: ids, outcome, size and timing only.
    """
    fields = {
        "delivery_id": delivery.pk,
        "result_id": str(delivery.result_id) if delivery.result_id else None,
        "outcome": delivery.outcome,
        "body_size": delivery.body_size,
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
    }
    logger.info(
        "delivery=%(delivery_id)s result=%(result_id)s outcome=%(outcome)s "
        "bytes=%(body_size)s duration_ms=%(duration_ms)s",
        fields,
        extra=fields,
    )
