"""The data: interviews, their results (one row per platform result, kept current) and every
delivery the webhook accepted past the secret check."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import F, Q


class Event(models.TextChoices):
    """The platform's webhook event, derived from `status` and `interview_status`."""

    SUBMITTED = "submitted", "Submitted"
    COLLECTED = "collected", "Collected"
    FAILED = "failed", "Failed"
    OTHER = "other", "Other"


# The values the platform documents; any other value is accepted and stored as sent.
KNOWN_STATUSES = ["draft", "active", "archived"]
KNOWN_INTERVIEW_STATUSES = [
    "ongoing",
    "failed",
    "abandoned",
    "terminated, no speech detected",
    "completed",
    "completed, stopped early",
]
KNOWN_PROCESSING_STATUSES = ["new", "processing", "completed", "failed"]
COMPLETED_INTERVIEW_STATUSES = {"completed", "completed, stopped early"}
FAILED_INTERVIEW_STATUSES = {"failed", "abandoned", "terminated, no speech detected"}


# The recruiter's decision on the platform (recruiter_go_next_round) in the `decision` filter's
# words: parameter value -> (the field's value, the label recruiters read).
DECISIONS: dict[str, tuple[bool | None, str]] = {
    "yes": (True, "Advance"),
    "no": (False, "Reject"),
    "none": (None, "Undecided"),
}
DECISION_CHOICES = [(key, label) for key, (_, label) in DECISIONS.items()]


def decision_q(key: str) -> Q:
    """Return the filter that selects results with the decision `key` ("yes", "no", "none")."""
    value = DECISIONS[key][0]
    if value is None:
        return Q(recruiter_go_next_round__isnull=True)
    return Q(recruiter_go_next_round=value)


def decision_label(value: bool | None) -> str:
    """Return "Advance", "Reject" or "Undecided" for a recruiter_go_next_round value."""
    return next(label for field_value, label in DECISIONS.values() if field_value is value)


# A submitted result the platform sent back to draft: a retake was requested (PLATFORM.md).
RESET_FOR_RETAKE = Q(was_submitted=True, status="draft")


def derive_event(status: str | None, interview_status: str | None) -> str:
    """Return the platform event (PLATFORM.md's table) that a result's state corresponds to."""
    if status == "active" and interview_status in COMPLETED_INTERVIEW_STATUSES:
        return Event.SUBMITTED
    if status == "draft" and interview_status in COMPLETED_INTERVIEW_STATUSES:
        return Event.COLLECTED
    if status == "draft" and interview_status in FAILED_INTERVIEW_STATUSES:
        return Event.FAILED
    return Event.OTHER


class Interview(models.Model):
    """An interview definition on the platform (the job or question set)."""

    id = models.UUIDField(primary_key=True, help_text="The platform's interview_id.")
    name = models.CharField(
        max_length=200, blank=True, help_text="A human name recruiters give the interview."
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or f"Interview {str(self.id)[:8]}"


class InterviewResult(models.Model):
    """One candidate's result, as of the latest delivery the platform sent for it.

    The platform's field names are kept; every one may be null (a delivery is a full snapshot and
    an absent field means null).
    """

    id = models.UUIDField(primary_key=True, help_text="The platform's result id.")
    interview = models.ForeignKey(
        Interview, null=True, blank=True, on_delete=models.PROTECT, related_name="results"
    )
    question_set_id = models.UUIDField(null=True, blank=True)
    # The platform's text is stored as sent, without a length cap (a longer name must never
    # reject a result). The three statuses are indexed, so the webhook bounds them instead
    # (payloads.STATUS_MAX_BYTES): PostgreSQL's btree cannot index an entry over ~2.7 KB.
    status = models.TextField(null=True, blank=True)  # noqa: DJ001
    interview_status = models.TextField(null=True, blank=True)  # noqa: DJ001
    processing_status = models.TextField(null=True, blank=True)  # noqa: DJ001
    profile_interview_id = models.UUIDField(null=True, blank=True)
    profile_id = models.UUIDField(null=True, blank=True)
    candidate_external_id = models.TextField(null=True, blank=True)  # noqa: DJ001
    candidate_name = models.TextField(null=True, blank=True)  # noqa: DJ001
    candidate_email = models.TextField(null=True, blank=True)  # noqa: DJ001
    candidate_phone_number = models.TextField(null=True, blank=True)  # noqa: DJ001
    recruiter_go_next_round = models.BooleanField(
        null=True,
        blank=True,
        help_text="The recruiter's decision on the platform; null: undecided.",
    )
    score = models.FloatField(null=True, blank=True)
    ai_analysis_recruiter_score = models.FloatField(null=True, blank=True)
    ai_analysis_recruiter = models.TextField(null=True, blank=True)  # noqa: DJ001
    ai_analysis = models.TextField(null=True, blank=True)  # noqa: DJ001
    ai_analysis_recruiter_why_hire = models.JSONField(default=list, blank=True)
    ai_analysis_recruiter_why_not_hire = models.JSONField(default=list, blank=True)
    pdf_export_url = models.TextField(null=True, blank=True)  # noqa: DJ001
    pdf_export_valid_until = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(null=True, blank=True)  # noqa: DJ001

    event = models.CharField(max_length=20, choices=Event.choices, default=Event.OTHER)
    # Once submitted, a result that goes back to draft was reset for a retake.
    was_submitted = models.BooleanField(default=False)
    first_received_at = models.DateTimeField()
    last_received_at = models.DateTimeField()
    record_hash = models.CharField(max_length=64, blank=True)
    current_delivery = models.ForeignKey(
        "Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-last_received_at", "-id"]
        indexes = [
            # The list's default order and the received_after/before filters (keyset pages).
            models.Index(F("last_received_at").desc(), F("id").desc(), name="result_received_idx"),
            # The score sorts (ascending, nulls last). The descending sorts also put nulls last,
            # which a backward scan of these cannot: PostgreSQL gets its own DESC NULLS LAST
            # indexes in migration 0002 (SQLite cannot declare NULLS LAST on an index).
            models.Index(fields=["score", "id"], name="result_score_idx"),
            models.Index(fields=["ai_analysis_recruiter_score", "id"], name="result_ai_score_idx"),
            # Filters: each is selective enough on its own to start a plan from.
            models.Index(fields=["event", "last_received_at"], name="result_event_idx"),
            models.Index(fields=["status"], name="result_status_idx"),
            models.Index(fields=["interview_status"], name="result_interview_status_idx"),
            models.Index(fields=["processing_status"], name="result_processing_status_idx"),
            models.Index(fields=["recruiter_go_next_round"], name="result_decision_idx"),
        ]

    def __str__(self) -> str:
        return self.candidate_label

    @property
    def candidate_label(self) -> str:
        """Return the best name we have for the candidate."""
        return (
            self.candidate_name
            or self.candidate_email
            or self.candidate_external_id
            or "Unlinked candidate"
        )

    @property
    def is_linked(self) -> bool:
        return bool(self.candidate_name or self.candidate_email or self.candidate_external_id)

    @property
    def reset_for_retake(self) -> bool:
        """A submitted result the platform sent back to draft (see RESET_FOR_RETAKE)."""
        return self.was_submitted and self.status == "draft"

    @property
    def decision(self) -> str:
        """Return the platform decision in the recruiter's words."""
        return decision_label(self.recruiter_go_next_round)


class Delivery(models.Model):
    """One request that passed the webhook's secret check, stored as received."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        DUPLICATE = "duplicate", "Duplicate"
        IGNORED = "ignored", "Ignored"
        REJECTED = "rejected", "Rejected"

    received_at = models.DateTimeField(db_index=True)
    body = models.BinaryField(help_text="The raw body as sent (the first KiB of an oversized one).")
    body_size = models.PositiveIntegerField()
    body_truncated = models.BooleanField(default=False)
    # The body's SHA-256 (hex), kept when the body itself is dropped: by `purge_deliveries`, or
    # at once for a delivery of an erased result (privacy.py).
    body_sha256 = models.CharField(max_length=64, blank=True)
    body_dropped = models.BooleanField(
        default=False, help_text="The body was dropped (retention or erasure); size and hash kept."
    )
    headers = models.JSONField(default=dict, help_text="Request headers, secrets redacted.")
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    record_hash = models.CharField(max_length=64, blank=True)
    envelope_type = models.CharField(max_length=20, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    error = models.JSONField(null=True, blank=True)
    result = models.ForeignKey(
        InterviewResult,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    # What this delivery changed in its result: [{"field", "old", "new"}, ...].
    changes = models.JSONField(default=list, blank=True)
    # The record equals an earlier, superseded version of the result: possibly a late retry.
    late_retry = models.BooleanField(default=False)
    replayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-received_at", "-id"]
        indexes = [
            # A result's timeline, and the late-retry check (same record seen before).
            models.Index(fields=["result", "record_hash"], name="delivery_result_hash_idx"),
            models.Index(
                fields=["received_at"],
                name="delivery_rejected_idx",
                condition=Q(outcome="rejected"),
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.outcome})"


class Export(models.Model):
    """One CSV export: who ran it, through which channel, with which filter, how many rows.

    Created when the export starts and updated when its stream ends, so an export that was cut
    off midway is still on record (`completed` false, the rows written so far).
    """

    class Channel(models.TextChoices):
        PAGE = "page", "Results page"
        API = "api", "API"
        COMMAND = "command", "export_results command"
        ADMIN = "admin", "Admin action"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty for the export_results command.",
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    params = models.JSONField(
        default=dict, blank=True, help_text="The filter, as query parameters: {name: [values]}."
    )
    rows = models.PositiveIntegerField(default=0, help_text="Data rows written (header excluded).")
    completed = models.BooleanField(default=False, help_text="The stream reached its last row.")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.channel}, {self.rows} rows)"


# --- The candidate's rights: erasure (privacy.py) ---------------------------------------------


class ErasedResult(models.Model):
    """A result that was erased, remembered so the platform's re-sends do not bring it back.

    Keyed by the SHA-256 of the result id (canonical lower-case UUID string), not the id, and not
    an HMAC: no key rotation can ever forget an erasure. Ingest looks it up by primary key.
    """

    hash = models.CharField(max_length=64, primary_key=True)
    erased_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Erased result {self.hash[:12]}"


class Erasure(models.Model):
    """The audit record of one erasure: who, when, which selector (as an HMAC) and what was
    removed (counts). It holds nothing about the person."""

    class Channel(models.TextChoices):
        COMMAND = "command", "erase_candidate command"
        ADMIN = "admin", "Admin action"

    erased_at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty for the erase_candidate command.",
    )
    selector_kind = models.CharField(max_length=20)
    selector_hmac = models.CharField(
        max_length=64, help_text="HMAC-SHA256 of the selector under SECRET_KEY."
    )
    removed = models.JSONField(default=dict, help_text="What was removed: {kind: count}.")

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"Erasure {self.pk} ({self.channel})"


# --- Report archive (issue 9: interviews/reports.py, interviews/tasks.py) ----------------------


class ReportArchive(models.Model):
    """The kept copy of a result's PDF report, and how downloading it went.

    The platform's `pdf_export_url` is a signed link that expires; the worker downloads it once
    into `default_storage` (`reports/<result id>/<sha256>.pdf`). One row per result: a newer
    link for the result makes it pending again.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Not kept yet"
        KEPT = "kept", "Kept"
        FAILED = "failed", "Failed"

    result = models.OneToOneField(
        InterviewResult, on_delete=models.CASCADE, related_name="report_archive"
    )
    source_url = models.TextField(help_text="The platform's link this copy is (to be) taken from.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    file = models.FileField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bytes.")
    sha256 = models.CharField(max_length=64, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Downloads tried for this link.")
    # Written by reports.py in its own words: never the URL (it is signed) or anything personal.
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The latest queued task (django_tasks_db's DBTaskResult id): `archive_reports --missing`
    # reads it to tell a queued download from one whose worker died.
    task_id = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The admin's "not kept" list and `archive_reports --missing/--failed`.
            models.Index(fields=["state", "updated_at"], name="report_archive_state_idx"),
        ]

    def __str__(self) -> str:
        return f"Report of {self.result_id} ({self.state})"


# --- Access: sessions that know their user, known login addresses -----------------------------
# (docs/security.md "Sessions and logins"; the code is interviews/sessions.py and logins.py)


class UserSession(AbstractBaseSession):
    """A login session that records whose it is, so that deactivating a user ends all of theirs.

    The store is `interviews.sessions.SessionStore` (SESSION_ENGINE); Django's own `django_session`
    table is no longer read.
    """

    # Not a foreign key: a session saved just after its user was deleted must not fail the
    # request; it simply authenticates nobody. Indexed for "every session of this user".
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    @classmethod
    def get_session_store_class(cls) -> type:
        from interviews.sessions import SessionStore

        return SessionStore


class KnownLoginAddress(models.Model):
    """An address someone logged in from successfully as a user, in the last 180 days.

    Kept as an HMAC of (username, address) under SECRET_KEY: the table says nothing about where
    staff log in from to whoever reads it. While an account is over its failure ceiling, only
    these addresses may still log in to it (interviews/logins.py).
    """

    digest = models.CharField(max_length=64, unique=True)
    # Expiry: rows older than the retention are ignored and purged on the next login.
    last_login_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "known login address"
        verbose_name_plural = "known login addresses"

    def __str__(self) -> str:
        return f"Known login address (last used {self.last_login_at:%Y-%m-%d})"
