"""The candidate's rights and retention: find one person's data, export it, erase it, and drop old
raw bodies.

Callers: the `erase_candidate`, `export_candidate` and `purge_deliveries` commands, the results
admin's erase action (`candidate_erase` behind both erasure channels), and `ingest.py`, which
asks `result_is_erased` so the platform's re-sends of an erased result are kept without a body.

A person is named by one selector: an e-mail (case-insensitive), an external id, a profile id or
a result id. Their results are the ones whose current fields match, or whose delivery history
(`Delivery.changes`) shows the value was theirs once. Once the results are known, everything that
names any of their identifiers goes too: deliveries without a result (rejected, ignored) whose
body names them, export filters, admin log entries and background tasks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from interviews.models import Delivery, ErasedResult, Erasure, Export, InterviewResult

SelectorKind = Literal["email", "external_id", "profile_id", "result"]
SELECTOR_KINDS: tuple[SelectorKind, ...] = ("email", "external_id", "profile_id", "result")
ERASED = "[erased]"
# Purging raw bodies younger than this needs --force: the AI Act asks for six months of logs.
PURGE_MINIMUM_DAYS = 183
# The result fields that say who the person is, and which history (Delivery.changes) can hold.
IDENTITY_FIELDS = {
    "candidate_email": "emails",
    "candidate_external_id": "external_ids",
    "profile_id": "profile_ids",
    "candidate_name": "names",
    "candidate_phone_number": "phones",
}
SELECTOR_FIELDS = {
    "email": "candidate_email",
    "external_id": "candidate_external_id",
    "profile_id": "profile_id",
}
# Headers kept on a delivery of an erased result: none of them can carry the person.
ERASED_DELIVERY_HEADERS = {"content-type", "content-length", "user-agent"}
SCAN_CHUNK = 200
# A record's id inside a body that is not valid JSON (cut short, for example).
BODY_ID = re.compile(r'"id"\s*:\s*"([0-9a-fA-F-]{32,36})"')


class SelectorError(ValueError):
    """The selector's value cannot name anyone (a profile or result id that is not a UUID)."""


@dataclass(frozen=True)
class CandidateSelector:
    """One way of naming a person; `value` normalised (UUIDs lower case, e-mail trimmed)."""

    kind: SelectorKind
    value: str


@dataclass
class Identifiers:
    """Everything that names the person: their results' current and former values."""

    emails: set[str] = field(default_factory=set)
    external_ids: set[str] = field(default_factory=set)
    profile_ids: set[str] = field(default_factory=set)
    result_ids: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)

    def unique(self) -> set[str]:
        """Return the values that name this person and nobody else (not names or phones)."""
        return {*self.emails, *self.external_ids, *self.profile_ids, *self.result_ids}

    def every(self) -> set[str]:
        return {*self.unique(), *self.names, *self.phones}


@dataclass(frozen=True)
class ErasureSummary:
    """What an erasure removed (or, in a dry run, would remove): {kind: count}."""

    counts: dict[str, int]
    dry_run: bool

    @property
    def found(self) -> bool:
        return any(self.counts.values())


def selector_make(*, kind: str, value: str) -> CandidateSelector:
    """Return the selector, its value normalised; raise SelectorError for an impossible one."""
    if kind not in SELECTOR_KINDS:
        raise SelectorError(f"Unknown selector {kind!r}.")
    value = value.strip()
    if not value:
        raise SelectorError(f"The {kind.replace('_', ' ')} is empty.")
    if kind in ("profile_id", "result"):
        try:
            value = str(uuid.UUID(value))
        except ValueError:
            raise SelectorError(f"The {kind.replace('_', ' ')} must be a UUID.") from None
    return CandidateSelector(kind=kind, value=value)


def selector_hmac(*, selector: CandidateSelector) -> str:
    """Return the HMAC-SHA256 (hex) of the selector under SECRET_KEY, for the audit record.

    Keyed, so an e-mail in the audit cannot be recovered by hashing guesses; e-mails are
    compared case-insensitively, so they are hashed in lower case.
    """
    value = selector.value.casefold() if selector.kind == "email" else selector.value
    message = f"{selector.kind}:{value}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


# --- Erased results (also read by ingest) --------------------------------------------------------


def erased_hash(result_id: str | uuid.UUID) -> str | None:
    """Return the SHA-256 (hex) of the result id as a canonical lower-case UUID string.

    Plain SHA-256, not an HMAC: a SECRET_KEY rotation must never bring an erased person back.
    None for a value that is not a UUID (no result can have it).
    """
    try:
        canonical = str(uuid.UUID(str(result_id)))
    except ValueError:
        return None
    return hashlib.sha256(canonical.encode()).hexdigest()


def result_is_erased(*, result_id: str | uuid.UUID | None) -> bool:
    """Return whether the result was erased: one primary-key lookup, cheap enough for ingest."""
    digest = erased_hash(result_id) if result_id is not None else None
    return digest is not None and ErasedResult.objects.filter(pk=digest).exists()


def body_result_ids(body: bytes) -> set[str]:
    """Return the result ids a stored body names: its record's id (flat, `record` or
    `old_record`), read leniently, also from a body that is not valid JSON."""
    text = body.decode("utf-8", errors="backslashreplace")
    found: set[str] = set()
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        for record in (data, data.get("record"), data.get("old_record")):
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                found.add(record["id"])
    else:
        found.update(BODY_ID.findall(text))
    ids = set()
    for value in found:
        try:
            ids.add(str(uuid.UUID(value)))
        except ValueError:
            continue
    return ids


def delivery_drop_body(*, delivery: Delivery) -> None:
    """Replace the delivery's body by nothing, keeping its size and SHA-256 (not saved here)."""
    if not delivery.body_sha256:
        delivery.body_sha256 = hashlib.sha256(bytes(delivery.body)).hexdigest()
    delivery.body = b""
    delivery.body_dropped = True


def delivery_strip_for_erased(*, delivery: Delivery) -> None:
    """Keep of a delivery for an erased result only what cannot name the person: its size, the
    hash of its body and a few technical headers (not saved here)."""
    delivery_drop_body(delivery=delivery)
    delivery.headers = {
        name: value
        for name, value in (delivery.headers or {}).items()
        if name.lower() in ERASED_DELIVERY_HEADERS
    }
    delivery.record_hash = ""
    delivery.error = None
    delivery.changes = []


# --- Finding the person ------------------------------------------------------------------------


def candidate_result_ids(*, selector: CandidateSelector) -> set[uuid.UUID]:
    """Return the ids of the person's results: by their current fields, or by a value the
    result's delivery history shows it had before."""
    if selector.kind == "result":
        return set(InterviewResult.objects.filter(pk=selector.value).values_list("pk", flat=True))
    name = SELECTOR_FIELDS[selector.kind]
    lookup = "iexact" if selector.kind == "email" else "exact"
    ids = set(
        InterviewResult.objects.filter(**{f"{name}__{lookup}": selector.value}).values_list(
            "pk", flat=True
        )
    )
    for result_id, changes in _history(selector.value).values_list("result_id", "changes"):
        for change in changes or []:
            if change.get("field") == name and any(
                _same(selector, change.get(side)) for side in ("old", "new")
            ):
                ids.add(result_id)
    return ids


def _history(value: str) -> QuerySet[Delivery]:
    """Return the deliveries whose recorded changes mention the value (a prefilter in SQL).

    SQLite keeps JSON with non-ASCII characters escaped, so both spellings are searched.
    """
    escaped = json.dumps(value)[1:-1]
    condition = Q(changes__icontains=value)
    if escaped != value:
        condition |= Q(changes__icontains=escaped)
    return Delivery.objects.filter(condition, result__isnull=False).exclude(changes=[])


def _same(selector: CandidateSelector, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if selector.kind == "email":
        return value.strip().casefold() == selector.value.casefold()
    return value.strip() == selector.value


def candidate_identifiers(
    *, selector: CandidateSelector, result_ids: Iterable[uuid.UUID]
) -> Identifiers:
    """Return every identifier the person's results hold or held, and the selector's value."""
    found = Identifiers()
    ids = list(result_ids)
    found.result_ids.update(str(pk) for pk in ids)
    fields = list(IDENTITY_FIELDS)
    for row in InterviewResult.objects.filter(pk__in=ids).values(*fields):
        for name, value in row.items():
            if value:
                getattr(found, IDENTITY_FIELDS[name]).add(str(value))
    history = Delivery.objects.filter(result_id__in=ids).exclude(changes=[])
    for changes in history.values_list("changes", flat=True).iterator(chunk_size=SCAN_CHUNK):
        for change in changes or []:
            if change.get("field") in IDENTITY_FIELDS:
                for side in ("old", "new"):
                    if change.get(side):
                        getattr(found, IDENTITY_FIELDS[change["field"]]).add(str(change[side]))
    kind = {"email": "emails", "external_id": "external_ids", "profile_id": "profile_ids"}
    getattr(found, kind.get(selector.kind, "result_ids")).add(selector.value)
    return found


def _matcher(values: Iterable[str]) -> re.Pattern[str] | None:
    """Return a case-insensitive pattern matching any of the values as a whole token (an
    e-mail, id or name not glued to more letters, digits or e-mail characters)."""
    values = sorted({value for value in values if value.strip()}, key=len, reverse=True)
    if not values:
        return None
    alternatives = "|".join(re.escape(value) for value in values)
    return re.compile(rf"(?<![\w.+@-])(?:{alternatives})(?![\w.+@-])", re.IGNORECASE)


def _body_texts(body: bytes) -> Iterator[str]:
    """Yield the body as text, and, when it is JSON, its strings unescaped (`\\u0040` is `@`)."""
    text = body.decode("utf-8", errors="backslashreplace")
    yield text
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return
    yield "\n".join(_strings(data))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def deliveries_without_result_naming(*, identifiers: Identifiers) -> list[int]:
    """Return the ids of deliveries without a result (rejected or ignored) whose body names the
    person by a unique identifier (e-mail, external id, profile id or result id).

    Scanned in Python, in chunks: only such deliveries are read, and they are few (a healthy
    platform sends valid records). Python can match what SQL on raw bytes cannot: case-insensitive
    e-mails, JSON escapes, whole tokens only (ann@x.com is not in joann@x.com).
    """
    pattern = _matcher(identifiers.unique())
    if pattern is None:
        return []
    ids = []
    orphans = Delivery.objects.filter(result__isnull=True, body_dropped=False).only("id", "body")
    for delivery in orphans.iterator(chunk_size=SCAN_CHUNK):
        if any(pattern.search(text) for text in _body_texts(bytes(delivery.body))):
            ids.append(delivery.pk)
    return ids


def exports_naming(*, identifiers: Identifiers) -> list[tuple[Export, dict[str, Any]]]:
    """Return the export records whose filter names the person, each with its filter scrubbed
    (every value that names them replaced by "[erased]").

    Scanned in Python: export records are few (purge_deliveries deletes them after the same
    retention period) and filters are small.
    """
    pattern = _matcher(identifiers.every())
    if pattern is None:
        return []
    found = []
    for export in Export.objects.only("id", "params").iterator(chunk_size=SCAN_CHUNK):
        scrubbed = _scrub(export.params, pattern)
        if scrubbed != export.params:
            found.append((export, scrubbed))
    return found


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return ERASED if pattern.search(value) else value
    if isinstance(value, list):
        return [_scrub(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, pattern) for key, item in value.items()}
    return value


def _log_entries(*, identifiers: Identifiers, delivery_ids: Iterable[int]) -> QuerySet[LogEntry]:
    """Return the admin log entries about the person: those of their results and deliveries
    (the entry's object_repr is the candidate's name), and any whose text names them."""
    result_type = ContentType.objects.get_for_model(InterviewResult)
    delivery_type = ContentType.objects.get_for_model(Delivery)
    condition = Q(content_type=result_type, object_id__in=list(identifiers.result_ids)) | Q(
        content_type=delivery_type, object_id__in=[str(pk) for pk in delivery_ids]
    )
    pattern = _matcher(identifiers.every())
    if pattern is not None:
        texts = Q()
        for value in identifiers.every():
            texts |= Q(object_repr__icontains=value) | Q(change_message__icontains=value)
        named = [
            entry.pk
            for entry in LogEntry.objects.filter(texts).only("object_repr", "change_message")
            if pattern.search(entry.object_repr) or pattern.search(entry.change_message)
        ]
        condition |= Q(pk__in=named)
    return LogEntry.objects.filter(condition)


def _task_rows(*, result_ids: Iterable[str]) -> QuerySet[Any] | None:
    """Return the background task rows (django_tasks_db) whose arguments or return value name
    one of the results; None when that backend is not installed."""
    if not apps.is_installed("django_tasks_db"):
        return None
    from django_tasks_db.models import DBTaskResult as task_model

    condition = Q()
    for result_id in result_ids:
        for spelling in (result_id, uuid.UUID(result_id).hex):
            condition |= Q(args_kwargs__icontains=spelling) | Q(return_value__icontains=spelling)
    if not condition:
        return task_model.objects.none()
    return task_model.objects.filter(condition)


# --- Erasing -----------------------------------------------------------------------------------


def candidate_erase(
    *,
    selector: CandidateSelector,
    channel: str = Erasure.Channel.COMMAND,
    user: AbstractBaseUser | AnonymousUser | None = None,
    dry_run: bool = False,
) -> ErasureSummary:
    """Erase everything held about one person, remember their results as erased, and record
    the erasure (not in a dry run, which counts the same things and changes nothing).

    The results go with everything that has a foreign key to them: deliveries here, and
    whatever later features add (assessments, shortlist entries, report archives), as long as
    their foreign keys CASCADE, which `tests/test_privacy.py` checks for every model.
    """
    counts: Counter[str] = Counter()
    with transaction.atomic():
        result_ids = candidate_result_ids(selector=selector)
        identifiers = candidate_identifiers(selector=selector, result_ids=result_ids)
        orphan_ids = deliveries_without_result_naming(identifiers=identifiers)
        orphan_bodies = Delivery.objects.filter(pk__in=orphan_ids).values_list("body", flat=True)
        # Results these rejected or ignored deliveries were about: a corrected re-send must not
        # bring the person back either.
        erased_ids = {str(pk) for pk in result_ids}
        for body in orphan_bodies:
            erased_ids |= body_result_ids(bytes(body))
        if selector.kind == "result":
            erased_ids.add(selector.value)

        if not dry_run and erased_ids:
            counts["report files"] = _report_files_delete(result_ids=erased_ids)
        delivery_ids = [
            *Delivery.objects.filter(result_id__in=result_ids).values_list("pk", flat=True),
            *orphan_ids,
        ]
        counts["admin log entries"] = _log_entries(
            identifiers=identifiers, delivery_ids=delivery_ids
        ).delete()[0]
        tasks = _task_rows(result_ids=erased_ids)
        if tasks is not None:
            counts["background tasks"] = tasks.delete()[0]
        for export, scrubbed in exports_naming(identifiers=identifiers):
            export.params = scrubbed
            export.save(update_fields=["params"])
            counts["export filters"] += 1

        # One delete per kind; the collector follows every foreign key (CASCADE) and counts.
        for queryset in (
            InterviewResult.objects.filter(pk__in=result_ids),
            Delivery.objects.filter(pk__in=orphan_ids),
        ):
            _, per_model = queryset.delete()
            counts.update(per_model)

        ErasedResult.objects.bulk_create(
            [ErasedResult(hash=digest) for digest in map(erased_hash, erased_ids) if digest],
            ignore_conflicts=True,
        )
        removed = {kind: count for kind, count in sorted(counts.items()) if count}
        if dry_run:
            transaction.set_rollback(True)
        else:
            Erasure.objects.create(
                channel=channel,
                user_id=user.pk if isinstance(user, AbstractBaseUser) else None,
                selector_kind=selector.kind,
                selector_hmac=selector_hmac(selector=selector),
                removed=removed,
            )
    return ErasureSummary(counts=removed, dry_run=dry_run)


def _report_files_delete(*, result_ids: Iterable[str]) -> int:
    """Delete the results' archived PDF files (the archive rows go by CASCADE)."""
    from interviews.reports import report_files_delete

    return report_files_delete(result_ids=result_ids)


# --- Subject access ------------------------------------------------------------------------------


def candidate_export(*, selector: CandidateSelector) -> dict[str, Any]:
    """Return everything held about one person, ready for JSON (`json_dumps`): their results
    with every field, each result's deliveries with their bodies decoded, whatever later
    features keep about a result, deliveries without a result that name them, the export
    records whose filter names them, and past erasures of the same selector."""
    result_ids = candidate_result_ids(selector=selector)
    identifiers = candidate_identifiers(selector=selector, result_ids=result_ids)
    results = []
    for result in InterviewResult.objects.filter(pk__in=result_ids).order_by("first_received_at"):
        results.append(
            {
                **_row(result),
                "deliveries": [
                    _delivery(delivery)
                    for delivery in result.deliveries.order_by("received_at", "id")
                ],
                **_related(result),
            }
        )
    orphans = Delivery.objects.filter(
        pk__in=deliveries_without_result_naming(identifiers=identifiers)
    ).order_by("received_at", "id")
    erasures = Erasure.objects.filter(
        selector_kind=selector.kind, selector_hmac=selector_hmac(selector=selector)
    )
    return {
        "selector": {"kind": selector.kind, "value": selector.value},
        "generated_at": timezone.now(),
        "results": results,
        "deliveries_without_result": [_delivery(delivery) for delivery in orphans],
        "exports": [
            {**_row(export), "user": export.user.get_username() if export.user else None}
            for export, _ in exports_naming(identifiers=identifiers)
        ],
        "erasures": [_row(erasure) for erasure in erasures],
    }


def json_dumps(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _row(obj: models.Model) -> dict[str, Any]:
    """Return every concrete field of the row (foreign keys as ids); bytes decoded."""
    row = {}
    for model_field in obj._meta.concrete_fields:
        value = model_field.value_from_object(obj)
        if isinstance(value, bytes | memoryview):
            value = bytes(value).decode("utf-8", errors="backslashreplace")
        elif isinstance(value, FieldFile):
            value = value.name or None
        row[model_field.attname] = value
    return row


def _delivery(delivery: Delivery) -> dict[str, Any]:
    row = _row(delivery)
    # A body dropped by retention or erasure is gone: say so rather than show "".
    if delivery.body_dropped:
        row["body"] = None
    return row


def _related(result: InterviewResult) -> dict[str, Any]:
    """Return the rows later features keep about the result (any model with a foreign key or
    many-to-many to it, deliveries aside), keyed by model label."""
    related: dict[str, Any] = {}
    for relation in result._meta.related_objects:
        if relation.related_model is Delivery or not relation.get_accessor_name():
            continue
        accessor = relation.get_accessor_name()
        assert accessor is not None
        if relation.one_to_one:
            obj = getattr(result, accessor, None)
            rows = [_row(obj)] if obj is not None else []
        else:
            rows = [_row(obj) for obj in getattr(result, accessor).all()]
        related[relation.related_model._meta.label] = rows
    return related


# --- Retention -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeSummary:
    bodies_dropped: int
    exports_deleted: int


def deliveries_purge(*, before: datetime, batch_size: int = 1000) -> PurgeSummary:
    """Drop the raw bodies of deliveries received before `before`, except each result's current
    delivery; keep the rows, their changes and their bodies' size and SHA-256. Delete the export
    records started before it too.

    Works in batches by primary key, each its own short transaction, so millions of rows never
    hold one long lock or one huge transaction, and an interrupted purge resumes where it was.
    """
    current = InterviewResult.objects.filter(current_delivery=OuterRef("pk"))
    candidates = (
        Delivery.objects.filter(received_at__lt=before, body_dropped=False)
        .exclude(Exists(current))
        .order_by("pk")
    )
    dropped, last = 0, 0
    while True:
        ids = list(candidates.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        last = ids[-1]
        with transaction.atomic():
            # Bodies stored before their hash was kept: read and hash them first.
            unhashed = Delivery.objects.filter(pk__in=ids, body_sha256="").only("id", "body")
            for delivery in unhashed.iterator(chunk_size=SCAN_CHUNK):
                Delivery.objects.filter(pk=delivery.pk).update(
                    body_sha256=hashlib.sha256(bytes(delivery.body)).hexdigest()
                )
            # The same conditions again: a delivery may have become current meanwhile.
            dropped += candidates.filter(pk__in=ids).update(body=b"", body_dropped=True)
    exports_deleted, _ = Export.objects.filter(started_at__lt=before).delete()
    return PurgeSummary(bodies_dropped=dropped, exports_deleted=exports_deleted)
