"""A database outage mid-stream (CONTRACT.md: "A database outage answers 503 with Retry-After
on every path (never 500)"; `DATABASE_POOL_TIMEOUT`).

The test starts a private PostgreSQL cluster of its own (initdb and pg_ctl, as the postgres user
when run as root; never the shared server), serves the product on it with gunicorn, and stops the
cluster while deliveries and health checks stream in. While it is down the webhook and /healthz
answer 503 with Retry-After within 5 s; nothing is half written; once it is back, the same
gunicorn serves again and the deliveries that got a 503 are stored when the platform re-sends them.
"""

import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from django.conf import settings

from tests.conftest import SECRET, WEBHOOK_URL, payload
from tests.live import BASE_DIR, free_port, gunicorn

POSTGRES_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="the PostgreSQL suite's test (DATABASE_URL=postgres://...): the outage is a "
        "PostgreSQL cluster's",
    ),
]

BOUND_SECONDS = 5.0  # DATABASE_POOL_TIMEOUT (2 s) plus a margin for a loaded machine
DOWN_SECONDS = 8.0
SEQUENCE_HEADER = "X-Outage-Seq"


# --- A private PostgreSQL cluster -------------------------------------------------------------


@dataclass
class Cluster:
    bin: Path
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, tool: str, *args: str) -> None:
        # The server refuses to run as root: run its tools as the postgres user then.
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*as_postgres, str(self.bin / tool), *args],
            check=True,
            capture_output=True,
            timeout=180,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        log = str(self.root / "server.log")
        self.run(
            "pg_ctl", "start", "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "120"
        )

    def stop(self) -> None:
        """Stop at once, as a crash or a failover would: open connections just break."""
        self.run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", "-t", "120")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    if not POSTGRES_BINS:
        pytest.fail("initdb and pg_ctl are not installed under /usr/lib/postgresql/*/bin")
    root = Path(tempfile.mkdtemp(prefix="outage-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = Cluster(bin=POSTGRES_BINS[-1], root=root, port=free_port())
    try:
        cluster.run(
            "initdb", "-D", str(cluster.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip
        cluster.start()
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as admin:
            admin.execute("CREATE DATABASE outage")
        yield cluster
    finally:
        if cluster.is_running():
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def migrate(database_url: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "outage-test"},
        check=True,
        capture_output=True,
        timeout=300,
    )


# --- The stream -------------------------------------------------------------------------------


@dataclass
class Answer:
    path: str
    seq: int | None
    started: float
    ended: float
    status: int
    retry_after: str | None
    body: bytes

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def delivery_body(seq: int) -> bytes:
    """A new result per delivery, so that each one's storage can be told apart."""
    result_id = str(uuid.UUID(int=seq + 1, version=4))
    return json.dumps(
        {**payload("submitted.json"), "id": result_id, "reason": f"seq {seq}"}
    ).encode()


def post_delivery(client: httpx.Client, seq: int) -> Answer:
    started = time.monotonic()
    response = client.post(
        WEBHOOK_URL,
        content=delivery_body(seq),
        headers={
            "Authorization": f"Bearer {SECRET}",
            "Content-Type": "application/json",
            SEQUENCE_HEADER: str(seq),
        },
    )
    return Answer(
        WEBHOOK_URL,
        seq,
        started,
        time.monotonic(),
        response.status_code,
        response.headers.get("Retry-After"),
        response.content,
    )


def get_health(client: httpx.Client) -> Answer:
    started = time.monotonic()
    response = client.get("/healthz")
    return Answer(
        "/healthz",
        None,
        started,
        time.monotonic(),
        response.status_code,
        response.headers.get("Retry-After"),
        response.content,
    )


class Stream:
    """Deliveries from four threads and a health check from a fifth, until stopped."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers: list[Answer] = []
        self.failures: list[BaseException] = []
        self.stopping = threading.Event()
        self.sequence = itertools.count()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._deliveries) for _ in range(4)]
        self.threads.append(threading.Thread(target=self._health))

    def __enter__(self) -> "Stream":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in self.threads), "a request hung"

    def _record(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def _loop(self, request: Any, pause: float) -> None:
        # Generous client timeouts: a hang shows as a slow answer, which the test bounds.
        with httpx.Client(base_url=self.url, timeout=60) as client:
            while not self.stopping.is_set():
                try:
                    self._record(request(client))
                except BaseException as exc:
                    self.failures.append(exc)
                    return
                time.sleep(pause)

    def _deliveries(self) -> None:
        self._loop(lambda client: post_delivery(client, next(self.sequence)), 0.05)

    def _health(self) -> None:
        self._loop(get_health, 0.2)

    def since(self, moment: float) -> list[Answer]:
        with self.lock:
            return [answer for answer in self.answers if answer.started >= moment]

    def wait_for(self, condition: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "the stream never reached the expected state"
            assert not self.failures, self.failures[:3]
            time.sleep(0.2)


# --- The test ---------------------------------------------------------------------------------


def stored_deliveries(cluster: Cluster) -> list[tuple[int, str, str | None]]:
    with psycopg.connect(cluster.url("outage")) as db:
        rows = db.execute(
            "SELECT (headers->>%s)::int, outcome, result_id::text FROM interviews_delivery",
            [SEQUENCE_HEADER],
        ).fetchall()
    return [(seq, outcome, result_id) for seq, outcome, result_id in rows]


def half_written_results(cluster: Cluster) -> list[Any]:
    """Return the results that are not exactly the state their current delivery applied."""
    with psycopg.connect(cluster.url("outage")) as db:
        return db.execute(
            """
            SELECT r.id FROM interviews_interviewresult r
            LEFT JOIN interviews_delivery d ON d.id = r.current_delivery_id
            WHERE r.record_hash = '' OR d.id IS NULL OR d.record_hash <> r.record_hash
               OR d.result_id <> r.id OR d.outcome NOT IN ('created', 'updated')
            """
        ).fetchall()


def test_a_database_outage_answers_503_in_time_and_the_app_recovers_without_a_restart():
    with private_cluster() as cluster:
        migrate(cluster.url("outage"))
        with gunicorn(database_url=cluster.url("outage"), DATABASE_POOL_TIMEOUT="2") as server:
            with Stream(server.url) as stream:
                begin = time.monotonic()
                stream.wait_for(
                    lambda: sum(a.status == 200 for a in stream.since(begin)) >= 30, 120
                )

                stopping = time.monotonic()
                cluster.stop()
                down = time.monotonic()
                time.sleep(DOWN_SECONDS)
                restarting = time.monotonic()
                cluster.start()
                up = time.monotonic()
                # Back without restarting gunicorn: a stored delivery and a healthy check.
                stream.wait_for(
                    lambda: (
                        any(a.status == 200 and a.seq is not None for a in stream.since(up))
                        and any(a.status == 200 and a.seq is None for a in stream.since(up))
                    ),
                    120,
                )
            assert not stream.failures, stream.failures[:3]
            answers = stream.answers

            # Never a 500, never a hang; every 503 says when to come back.
            assert {a.status for a in answers} <= {200, 503}, server.log_tail()
            assert all(a.retry_after for a in answers if a.status == 503)
            assert max(a.seconds for a in answers) < 60
            # While the database is down: 503 within the bound, on the webhook and /healthz.
            # (Those begun early enough that the database stayed down for their whole bound.)
            outage = [a for a in answers if down <= a.started <= restarting - BOUND_SECONDS]
            assert {a.path for a in outage} == {WEBHOOK_URL, "/healthz"}
            assert {a.status for a in outage} == {503}
            slowest = max(outage, key=lambda a: a.seconds)
            assert slowest.seconds < BOUND_SECONDS, (slowest, server.log_tail())
            assert all(json.loads(a.body)["status"] != "ok" for a in outage if a.seq is None)

            # Nothing half written: requests begun after the stop stored nothing; a request
            # cut off by it stored all of itself or nothing.
            refused = {a.seq for a in answers if a.seq is not None and a.status == 503}
            acknowledged = {a.seq for a in answers if a.seq is not None and a.status == 200}
            in_flight = {
                a.seq
                for a in answers
                if a.seq is not None and a.started < down and a.ended > stopping
            }
            stored = stored_deliveries(cluster)
            stored_seqs = [seq for seq, _, _ in stored]
            assert sorted(stored_seqs) == sorted(set(stored_seqs)), "a delivery stored twice"
            assert acknowledged <= set(stored_seqs)
            assert set(stored_seqs) & refused <= in_flight
            assert half_written_results(cluster) == []

            # The same gunicorn, its workers never restarted, serves again; the platform's
            # re-sends of the refused deliveries are stored.
            assert server.process.poll() is None
            assert server.log.read_text().count("Booting worker") == 2, server.log_tail()
            assert refused, "no delivery was refused during the outage"
            with httpx.Client(base_url=server.url, timeout=60) as client:
                resent = [post_delivery(client, seq) for seq in sorted(refused)]
                health = get_health(client)
            assert [a.status for a in resent] == [200] * len(resent), server.log_tail()
            outcomes = {json.loads(a.body)["outcome"] for a in resent}
            assert outcomes <= {"created", "duplicate"}
            assert health.status == 200 and json.loads(health.body) == {"status": "ok"}
            stored = stored_deliveries(cluster)
            assert {seq for seq, _, _ in stored} == acknowledged | refused
            results = {result_id for _, outcome, result_id in stored if outcome == "created"}
            assert results == {
                str(uuid.UUID(int=seq + 1, version=4)) for seq in acknowledged | refused
            }
            assert half_written_results(cluster) == []
            recovered = min(a.ended for a in answers if a.started >= up and a.status == 200)
            print(
                f"outage: {len(acknowledged)} stored while up, {len(refused)} refused while down "
                f"(slowest {slowest.seconds:.2f} s), serving again {recovered - up:.1f} s after "
                "the restart"
            )
