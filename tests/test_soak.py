"""A concurrency soak against a live gunicorn (CONTRACT.md "The webhook": concurrent deliveries
never fail and never lose an update).

Thousands of deliveries, several versions of each result sent in any order and again, from 16
threads at once. Afterwards every acknowledged delivery is stored exactly once with the outcome
it was answered, and each result is the version its last applied delivery carried.
"""

import json
import queue
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from typing import Any

import httpx
import pytest
from django.db import connection

from interviews.models import Delivery, InterviewResult
from tests.conftest import SECRET, WEBHOOK_URL, payload
from tests.live import current_database_url, gunicorn

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

THREADS = 16
VERSIONS = 4
SEQUENCE_HEADER = "X-Soak-Seq"


def version_of(result_id: str, version: int) -> dict[str, Any]:
    return {
        **payload("submitted.json"),
        "id": result_id,
        "score": float(version),
        "reason": f"version {version}",
        "candidate_name": f"Candidate {result_id[:8]} v{version}",
    }


def post_all(url: str, plan: list[tuple[str, int]]) -> dict[int, tuple[int, Any]]:
    """Post every (result id, version) of the plan from THREADS threads; return each sequence
    number's status and JSON answer."""
    work: queue.Queue[int] = queue.Queue()
    for seq in range(len(plan)):
        work.put(seq)
    answers: dict[int, tuple[int, Any]] = {}
    failures: list[BaseException] = []

    def send() -> None:
        with httpx.Client(base_url=url, timeout=120) as client:
            while True:
                try:
                    seq = work.get_nowait()
                except queue.Empty:
                    return
                result_id, version = plan[seq]
                try:
                    response = client.post(
                        WEBHOOK_URL,
                        content=json.dumps(version_of(result_id, version)),
                        headers={
                            "Authorization": f"Bearer {SECRET}",
                            "Content-Type": "application/json",
                            SEQUENCE_HEADER: str(seq),
                        },
                    )
                    answers[seq] = (response.status_code, response.json())
                except BaseException as exc:
                    failures.append(exc)
                    return

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(thread.is_alive() for thread in threads), "a delivery hung"
    assert not failures, failures[:3]
    return answers


def test_every_acknowledged_delivery_is_stored_and_each_result_is_its_last_version():
    # SQLite serialises every write: fewer deliveries keep the test near a minute there.
    sqlite = connection.vendor == "sqlite"
    deliveries, results = (2000, 100) if sqlite else (3000, 150)
    rng = random.Random(8)
    result_ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(results)]
    # Each result gets several versions in a random order, each sent several times.
    plan = [(rng.choice(result_ids), rng.randrange(VERSIONS)) for _ in range(deliveries)]

    with gunicorn(database_url=current_database_url()) as server:
        started = time.monotonic()
        answers = post_all(server.url, plan)
        elapsed = time.monotonic() - started
        statuses = Counter(status for status, _ in answers.values())
        assert statuses == {200: deliveries}, (statuses, server.log_tail())

    stored = list(
        Delivery.objects.values_list("pk", "headers", "outcome", "result_id", "record_hash")
    )
    by_seq: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    for pk, headers, outcome, result_id, record_hash in stored:
        by_seq[int(headers[SEQUENCE_HEADER])].append((pk, outcome, str(result_id), record_hash))
    assert len(stored) == deliveries
    assert sorted(by_seq) == list(range(deliveries))
    assert all(len(rows) == 1 for rows in by_seq.values()), "a delivery stored twice"
    for seq, (_, answer) in answers.items():
        [(_, outcome, stored_id, _)] = by_seq[seq]
        assert answer == {"id": plan[seq][0], "outcome": outcome}
        assert stored_id == plan[seq][0]

    applied: dict[str, tuple[int, int, str]] = {}  # result id -> (pk, seq, record hash)
    created: Counter[str] = Counter()
    for seq, [(pk, outcome, stored_id, record_hash)] in by_seq.items():
        created[stored_id] += outcome == "created"
        if outcome in {"created", "updated"} and pk > applied.get(stored_id, (0, 0, ""))[0]:
            applied[stored_id] = (pk, seq, record_hash)
    # The plan did send duplicates and re-sends of older versions.
    outcomes = Counter(rows[0][1] for rows in by_seq.values())
    assert outcomes["duplicate"] and outcomes["updated"], outcomes
    sent_ids = {sent_id for sent_id, _ in plan}
    assert set(created) == sent_ids and set(created.values()) == {1}
    for result in InterviewResult.objects.all():
        pk, seq, record_hash = applied[str(result.pk)]
        version = plan[seq][1]
        assert result.current_delivery_id == pk
        assert result.record_hash == record_hash
        assert (result.score, result.reason, result.candidate_name) == (
            float(version),
            f"version {version}",
            f"Candidate {str(result.pk)[:8]} v{version}",
        )
    assert InterviewResult.objects.count() == len(sent_ids)
    print(f"soak: {deliveries} deliveries in {elapsed:.1f} s ({deliveries / elapsed:.0f}/s)")
