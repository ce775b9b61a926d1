"""Realistic demo results, sent through the real ingest path (`seed_demo`, `make run`)."""

import json
import logging
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from tqdm import tqdm

from interviews.ingest import delivery_receive
from interviews.models import Interview

INTERVIEWS = [
    ("8ede1f10-b176-4a0e-a711-84e0ec876ed6", "Backend Engineer"),
    ("3f6c1d2a-7b8e-4c9d-a0e1-f2a3b4c5d6e7", "Customer Support Specialist"),
    ("9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", "Data Analyst"),
    # Left unnamed: recruiters see how to name an interview.
    ("5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9", ""),
]
FIRST_NAMES = [
    "Maria",
    "Jonas",
    "Aino",
    "Lee",
    "Sam",
    "Priya",
    "Mateo",
    "Chloé",
    "Oluwaseun",
    "Yuki",
    "Anna",
    "Liam",
    "Sofia",
    "Noah",
    "Emma",
    "Lucas",
    "Zoë",
    "Arjun",
    "Fatima",
    "Henrik",
]
LAST_NAMES = [
    "Tamm",
    "Berg",
    "Virtanen",
    "Park",
    "Okafor",
    "Sharma",
    "García",
    "Dubois",
    "Adeyemi",
    "Tanaka",
    "Kowalski",
    "Murphy",
    "Rossi",
    "Schmidt",
    "Jensen",
    "Silva",
    "van Dijk",
    "Nair",
]
WHY_HIRE = [
    "Clear, structured answers",
    "Five years of Django in production",
    "Led a team migration to PostgreSQL",
    "Strong SQL skills",
    "Calm under pressure",
    "Explains trade-offs well",
    "Relevant domain knowledge",
    "Good written English in follow-ups",
    "Mentored junior colleagues",
    "Owns incidents end to end",
]
WHY_NOT_HIRE = [
    "No on-call experience",
    "Salary expectation above the band",
    "Vague answers on testing",
    "Limited experience with large data sets",
    "Notice period of three months",
    "Ended the interview early",
    "Little exposure to customer-facing work",
    "Prefers fully remote work",
]
ANALYSES = [
    "Strong communicator with solid backend experience; limited exposure to on-call operations.",
    "Thoughtful and precise. Answers were short but correct; probe depth in a live session.",
    "Enthusiastic and quick to learn, though several answers stayed at a high level.",
    "Experienced and pragmatic; some gaps in the fundamentals of the role's core tooling.",
]


def _record(rng: random.Random, result_id: str, interview_id: str, person: dict[str, Any]) -> dict:
    return {
        "id": result_id,
        "interview_id": interview_id,
        "question_set_id": interview_id,
        "profile_interview_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        **person,
        "recruiter_go_next_round": None,
        "ai_analysis": None,
        "ai_analysis_recruiter": None,
        "score": None,
        "ai_analysis_recruiter_score": None,
        "ai_analysis_recruiter_why_hire": None,
        "ai_analysis_recruiter_why_not_hire": None,
        "pdf_export_url": None,
    }


def _person(rng: random.Random, *, linked: bool) -> dict[str, Any]:
    if not linked:
        return {
            "profile_id": None,
            "candidate_external_id": None,
            "candidate_name": None,
            "candidate_email": None,
            "candidate_phone_number": None,
        }
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "profile_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "candidate_external_id": f"ATS-{rng.randint(10000, 99999)}",
        "candidate_name": f"{first} {last}",
        "candidate_email": f"{first}.{last}@example.com".lower().replace(" ", ""),
        "candidate_phone_number": rng.choice([None, f"+372 555{rng.randint(10000, 99999)}"]),
    }


def _scored(rng: random.Random, record: dict, *, reasons_as_text: bool) -> dict:
    score = round(rng.triangular(1.0, 7.0, 4.5), 2)
    ai_score = round(min(5.0, max(1.0, score * 0.7 + rng.uniform(-1, 1))), 3)
    reasons_hire = rng.sample(WHY_HIRE, rng.randint(1, 4))
    reasons_not = rng.sample(WHY_NOT_HIRE, rng.randint(0, 3))
    return {
        **record,
        "status": "active",
        "interview_status": rng.choice(["completed"] * 5 + ["completed, stopped early"]),
        "processing_status": "completed",
        "score": score,
        "ai_analysis_recruiter_score": ai_score,
        "ai_analysis_recruiter": rng.choice(ANALYSES),
        "ai_analysis": "Thank you for your answers. You explained your past projects clearly.",
        "ai_analysis_recruiter_why_hire": "; ".join(reasons_hire)
        if reasons_as_text
        else reasons_hire,
        "ai_analysis_recruiter_why_not_hire": (
            "\n".join(reasons_not) if reasons_as_text else reasons_not
        ),
        "pdf_export_url": f"https://reports.example.com/{record['id']}.pdf?sig={rng.getrandbits(64):x}",
        "reason": "status,processing_status",
    }


# What happens to a result. The first demo results take these in turn, so that even a small demo
# shows every path; the rest are drawn at random.
FATES = ("failed", "collected", "submitted", "decided", "retake")


def _fate(rng: random.Random, index: int) -> str:
    if index < len(FATES):
        return FATES[index]
    roll = rng.random()
    if roll < 0.15:
        return "failed"
    if roll < 0.28:
        return "collected"
    if roll < 0.53:
        return "decided"
    if roll < 0.58:
        return "retake"
    return "submitted"


def _history(rng: random.Random, index: int, interview_id: str) -> list[dict]:
    """Return the records the platform would send over time for one result."""
    result_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    # Same rule for the special cases: the first results show each, the rest are drawn.
    linked = index != 1 and rng.random() >= 0.12
    reasons_as_text = index == 2 or rng.random() < 0.15  # some senders give reasons as one string
    unscored = index == 3 or rng.random() < 0.08  # scoring is off for some interviews
    base = _record(rng, result_id, interview_id, _person(rng, linked=linked))
    fate = _fate(rng, index)
    if fate == "failed":
        failed_status = rng.choice(["failed", "abandoned", "terminated, no speech detected"])
        failed = {
            **base,
            "status": "draft",
            "interview_status": failed_status,
            "processing_status": "new",
            "reason": "interview_status",
        }
        return [failed]
    collected = {
        **base,
        "status": "draft",
        "interview_status": "completed",
        "processing_status": "processing",
        "reason": "interview_status",
    }
    if fate == "collected":
        return [collected]
    submitted = _scored(rng, collected, reasons_as_text=reasons_as_text)
    if unscored:
        submitted["score"] = None
    history = [collected, submitted]
    if fate == "decided":
        decision = {"recruiter_go_next_round": rng.random() < 0.6}
        history.append({**submitted, **decision, "reason": "recruiter_go_next_round"})
    elif fate == "retake":
        # A recruiter decided, then asked for a retake: the platform resets the result.
        decided = {**submitted, "recruiter_go_next_round": True}
        reset = {
            **decided,
            "status": "draft",
            "interview_status": "failed",
            "recruiter_go_next_round": None,
            "reason": "status,interview_status,recruiter_go_next_round",
        }
        history += [
            {**decided, "reason": "recruiter_go_next_round"},
            reset,
        ]
    return history


def demo_histories(*, count: int, seed: int = 7) -> list[list[dict]]:
    """Return `count` results, each as the list of records the platform would send over time."""
    rng = random.Random(seed)
    return [_history(rng, index, rng.choice(INTERVIEWS)[0]) for index in range(count)]


@contextmanager
def _quiet_logger(name: str, *, level: int = logging.WARNING) -> Iterator[None]:
    """Raise one logger's level for the duration, then put it back."""
    quieted = logging.getLogger(name)
    previous = quieted.level
    quieted.setLevel(level)
    try:
        yield
    finally:
        quieted.setLevel(previous)


def demo_load(
    *, count: int, seed: int = 7, now: datetime | None = None, progress: bool = False
) -> int:
    """Send `count` demo results through the ingest path; return the number of deliveries.

    `progress` shows a bar while loading, on a terminal only (tqdm's `disable=None`).
    """
    now = now or timezone.now()
    rng = random.Random(seed + 1)
    for interview_id, name in INTERVIEWS:
        Interview.objects.get_or_create(id=interview_id, defaults={"name": name})
    histories = demo_histories(count=count, seed=seed)
    sent = 0
    # The ingest log says one line per delivery, right on a running server; hundreds of them
    # here would bury the login box `make run` prints next. Warnings still show.
    with _quiet_logger("interviews.ingest"):
        for history in tqdm(
            histories,
            desc="Loading demo results",
            unit="result",
            disable=None if progress else True,
            leave=False,
        ):
            moment = now - timedelta(days=rng.uniform(0, 30))
            for record in history:
                delivery_receive(
                    body=json.dumps(record).encode(),
                    headers={"User-Agent": "seed_demo"},
                    source_ip="127.0.0.1",
                    received_at=moment,
                )
                moment += timedelta(minutes=rng.uniform(2, 600))
                sent += 1
    return sent
