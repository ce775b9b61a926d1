"""Concurrent deliveries never fail and never lose an update (CONTRACT.md "The webhook").

Real threads, each with its own database connection, released together by a barrier.
"""

import json
import threading
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from interviews.models import Delivery, InterviewResult
from tests.conftest import WebhookClient, payload, payload_bytes

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 16


def post_at_once(bodies: list[bytes]) -> list[Any]:
    """Post every body from its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(bodies))
    responses: list[Any] = [None] * len(bodies)
    failures: list[BaseException] = []

    def send(index: int, body: bytes) -> None:
        try:
            webhook = WebhookClient(Client())
            barrier.wait(timeout=30)
            responses[index] = webhook.post(body)
        except BaseException as exc:
            failures.append(exc)
        finally:
            # Back to the pool (PostgreSQL) or closed (SQLite): 16 threads, a pool of 8.
            connection.close()

    threads = [threading.Thread(target=send, args=item) for item in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a delivery hung"
    assert not failures, failures
    return responses


def test_the_same_result_posted_at_once_is_created_once():
    responses = post_at_once([payload_bytes("submitted.json")] * THREADS)

    assert [response.status_code for response in responses] == [200] * THREADS
    outcomes = sorted(response.json()["outcome"] for response in responses)
    assert outcomes == ["created"] + ["duplicate"] * (THREADS - 1)
    result = InterviewResult.objects.get()
    assert Delivery.objects.filter(result=result).count() == THREADS
    assert result.current_delivery is not None
    assert result.current_delivery.outcome == Delivery.Outcome.CREATED


def test_different_versions_of_one_result_posted_at_once_lose_no_update():
    record = payload("submitted.json")
    versions = [{**record, "score": float(n), "reason": f"version {n}"} for n in range(THREADS)]

    responses = post_at_once([json.dumps(version).encode() for version in versions])

    assert [response.status_code for response in responses] == [200] * THREADS
    outcomes = sorted(response.json()["outcome"] for response in responses)
    assert outcomes == ["created"] + ["updated"] * (THREADS - 1)
    result = InterviewResult.objects.get()
    deliveries = list(Delivery.objects.filter(result=result))
    assert len(deliveries) == THREADS
    assert all(delivery.outcome in {"created", "updated"} for delivery in deliveries)
    # The result is exactly the record of the delivery applied last.
    current = result.current_delivery
    assert current is not None
    assert current.pk == max(delivery.pk for delivery in deliveries)
    applied = json.loads(bytes(current.body))
    assert result.record_hash == current.record_hash
    assert result.score == applied["score"]
    assert result.reason == applied["reason"]


def test_first_deliveries_of_many_results_for_a_new_interview_all_succeed():
    interview_id = str(uuid.uuid4())
    record = {**payload("submitted.json"), "interview_id": interview_id}
    bodies = [json.dumps({**record, "id": str(uuid.uuid4())}).encode() for _ in range(THREADS)]

    responses = post_at_once(bodies)

    assert {response.json()["outcome"] for response in responses} == {"created"}
    assert InterviewResult.objects.filter(interview_id=interview_id).count() == THREADS
