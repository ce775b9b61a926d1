"""Template filters of the recruiter pages: how platform values read to a recruiter."""

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import SplitResult, urlsplit

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.dateformat import format as date_format

from interviews.charts import number_label
from interviews.models import decision_label

register = template.Library()

# Tooltips: what each platform value means, in the recruiter's words (PLATFORM.md).
STATUS_HELP: dict[str, dict[str, str]] = {
    "status": {
        "draft": "Not submitted yet, or sent back for a retake",
        "active": "Submitted and scored",
        "archived": "Archived on the platform",
    },
    "interview_status": {
        "ongoing": "The candidate is still answering",
        "failed": "The interview failed, or was reset for a retake",
        "abandoned": "The candidate left before finishing",
        "terminated, no speech detected": "Ended because no speech was detected",
        "completed": "The candidate answered every question",
        "completed, stopped early": "Completed, but the candidate stopped before the end",
    },
    "processing_status": {
        "new": "Not yet processed by the AI",
        "processing": "AI scoring in progress",
        "completed": "AI scoring finished",
        "failed": "AI scoring failed",
    },
    "event": {
        "submitted": "Submitted and scored by the AI",
        "collected": "Answers collected; not yet submitted or scored",
        "failed": "Failed, abandoned, or no speech detected",
        "other": "A state the platform does not document as one of its events",
    },
}


@register.filter
def status_help(value: str | None, field: str) -> str:
    """Return what a platform status value means, for a tooltip."""
    if value is None:
        return "Not sent by the platform"
    return STATUS_HELP.get(field, {}).get(value, "A value the platform did not document")


@register.filter
def score(value: float | None) -> str:
    """Return a score as shown in a table (two decimals at most); an em dash when missing."""
    return "—" if value is None else number_label(value)


@register.filter
def when(value: datetime | None) -> str:
    """Return a time as a recruiter scans a list: "3 hours ago" within a day, else the date.

    "3 weeks, 2 days ago" is long and vague; a date is short and exact (the title has the time).
    """
    if value is None:
        return "—"
    now = timezone.now()
    if abs(now - value) < timedelta(days=1):
        return str(naturaltime(value))
    local = timezone.localtime(value)
    same_year = local.year == timezone.localtime(now).year
    return date_format(local, "j M" if same_year else "j M Y")


def _http_parts(value: str | None) -> SplitResult | None:
    """Return the parts of an absolute http(s) URL without user info, else None.

    Never javascript: or data:. User info is refused: in https://trusted.example@evil.example/
    the host is evil.example, but a reader sees trusted.example.
    """
    if not value:
        return None
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname
        parts.port  # noqa: B018  # a port that is not a number raises here
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not host or "@" in parts.netloc:
        return None
    return parts


@register.filter
def http_url(value: str | None) -> str:
    """Return the URL when it is a link we may show (see `_http_parts`), else ""."""
    return value.strip() if value and _http_parts(value) else ""


@register.filter
def url_host(value: str | None) -> str:
    """Return the host a link really leads to (with its port, if any), for the reader to check."""
    parts = _http_parts(value)
    if parts is None or parts.hostname is None:
        return ""
    return parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"


# First strong isolate ... pop directional isolate: <bdi> for places that cannot hold markup
# (the page's <title>, attributes), so a right-to-left override stays inside the value.
FSI, PDI = "\u2068", "\u2069"


@register.filter
def isolate(value: Any) -> str:
    """Return the text wrapped in Unicode isolates (FSI ... PDI), for a <title> or an attribute."""
    return f"{FSI}{value}{PDI}"


@register.filter
def short_id(value: Any) -> str:
    """Return the first block of a UUID: enough to tell results apart on screen."""
    return str(value)[:8]


@register.filter
def change_side(change: dict[str, Any], side: str) -> str:
    """Return the "old" or "new" side of a delivery's change as plain text."""
    value = change.get(side)
    if change.get("field") == "recruiter_go_next_round":
        return decision_label(value)
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


@register.filter
def field_label(name: str) -> str:
    """Return a platform field name as words (ai_analysis_recruiter_score -> AI score)."""
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


FIELD_LABELS = {
    "score": "Score",
    "ai_analysis_recruiter_score": "AI score",
    "ai_analysis_recruiter": "AI analysis (recruiter)",
    "ai_analysis": "AI analysis (candidate)",
    "ai_analysis_recruiter_why_hire": "Why hire",
    "ai_analysis_recruiter_why_not_hire": "Why not hire",
    "recruiter_go_next_round": "Decision",
    "pdf_export_url": "PDF report link",
    "pdf_export_valid_until": "PDF link valid until",
    "interview_id": "Interview",
    "processing_status": "Processing status",
    "interview_status": "Interview status",
}


@register.simple_tag
def reasons_hidden(pros: list[str] | None, cons: list[str] | None) -> int:
    """Return how many reasons a list row keeps folded: all but the first of each side."""
    return max(len(pros or []) - 1, 0) + max(len(cons or []) - 1, 0)
