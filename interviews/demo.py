"""Realistic demo results, sent through the real ingest path (`seed_demo`, `make run`)."""

import json
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

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
    "Maria", "Jonas", "Aino", "Lee", "Sam", "Priya", "Mateo", "Chloé", "Oluwaseun", "Yuki",
    "Anna", "Liam", "Sofia", "Noah", "Emma", "Lucas", "Zoë", "Arjun", "Fatima", "Henrik",
]
LAST_NAMES = [
    "Tamm", "Berg", "Virtanen", "Park", "Okafor", "Sharma", "García", "Dubois", "Adeyemi",
    "Tanaka", "Kowalski", "Murphy", "Rossi", "Schmidt", "Jensen", "Silva", "van Dijk", "Nair",
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


def _person(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.12:  # an unlinked candidate
        return {"profile_id": None, "candidate_external_id": None, "candidate_name": None,
                "candidate_email": None, "candidate_phone_number": None}
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "profile_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "candidate_external_id": f"ATS-{rng.randint(10000, 99999)}",
        "candidate_name": f"{first} {last}",
        "candidate_email": f"{first}.{last}@example.com".lower().replace(" ", ""),
        "candidate_phone_number": rng.choice([None, f"+372 555{rng.randint(10000, 99999)}"]),
    }


def _scored(rng: random.Random, record: dict) -> dict:
    score = round(rng.triangular(1.0, 7.0, 4.5), 2)
    reasons_hire = rng.sample(WHY_HIRE, rng.randint(0, 4))
    reasons_not = rng.sample(WHY_NOT_HIRE, rng.randint(0, 3))
    as_text = rng.random() < 0.15  # some senders give reasons as one string
    return {
        **record,
        "status": "active",
        "interview_status": rng.choice(["completed"] * 5 + ["completed, stopped early"]),
        "processing_status": "completed",
        "score": score,
        "ai_analysis_recruiter_score": round(min(5.0, max(1.0, score * 0.7 + rng.uniform(-1, 1))), 3),
        "ai_analysis_recruiter": rng.choice(ANALYSES),
        "ai_analysis": "Thank you for your answers. You explained your past projects clearly.",
        "ai_analysis_recruiter_why_hire": "; ".join(reasons_hire) if as_text else reasons_hire,
        "ai_analysis_recruiter_why_not_hire": "\n".join(reasons_not) if as_text else reasons_not,
        "pdf_export_url": f"https://reports.example.com/{record['id']}.pdf?sig={rng.getrandbits(64):x}",
        "reason": "status,processing_status",
    }


def demo_histories(*, count: int, seed: int = 7) -> list[list[dict]]:
    """Return `count` results, each as the list of records the platform would send over time."""
    rng = random.Random(seed)
    histories = []
    for _ in range(count):
        result_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        interview_id = rng.choice(INTERVIEWS)[0]
        base = _record(rng, result_id, interview_id, _person(rng))
        collected = {**base, "status": "draft", "interview_status": "completed",
                     "processing_status": "processing", "reason": "interview_status"}
        fate = rng.random()
        if fate < 0.15:
            failed = {**base, "status": "draft",
                      "interview_status": rng.choice(
                          ["failed", "abandoned", "terminated, no speech detected"]),
                      "processing_status": "new", "reason": "interview_status"}
            histories.append([failed])
            continue
        if fate < 0.28:
            histories.append([collected])
            continue
        submitted = _scored(rng, collected)
        if rng.random() < 0.08:
            submitted["score"] = None  # scoring is off for some interviews
        history = [collected, submitted]
        roll = rng.random()
        if roll < 0.35:
            history.append({**submitted, "recruiter_go_next_round": rng.random() < 0.6,
                            "reason": "recruiter_go_next_round"})
        elif roll < 0.42:
            history.append({**submitted, "status": "draft", "interview_status": "failed",
                            "recruiter_go_next_round": None,
                            "reason": "status,interview_status,recruiter_go_next_round"})
        histories.append(history)
    return histories


def demo_load(*, count: int, seed: int = 7, now: datetime | None = None) -> int:
    """Send `count` demo results through the ingest path; return the number of deliveries."""
    now = now or timezone.now()
    rng = random.Random(seed + 1)
    for interview_id, name in INTERVIEWS:
        Interview.objects.get_or_create(id=interview_id, defaults={"name": name})
    sent = 0
    for history in demo_histories(count=count, seed=seed):
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
