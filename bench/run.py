#!/usr/bin/env python
"""Benchmarks at scale (`make bench`): PostgreSQL with BENCH_ROWS results (default 1,000,000).

Everything is measured side by side in one run and reported as medians, with ratios against a
floor where one exists (a bare insert-and-commit for the webhook, COPY for the CSV export):
the machines are shared and noisy, so absolute numbers vary and ratios are what to compare.

    make bench                                   # 1M rows in the database `bench`
    BENCH_ROWS=200000 make bench                 # smaller
    BENCH_DATABASE_URL=postgres://... make bench # another server
"""

import io
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_HTTPS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def ensure_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def median_ms(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def populate(rows: int) -> None:
    """Fill the tables with `rows` results straight in SQL (the ingest path is timed separately)."""
    from django.db import connection

    from interviews.models import InterviewResult

    have = InterviewResult.objects.count()
    if have >= rows:
        print(f"database has {have:,} results already")
        return
    print(f"populating {rows - have:,} results ...", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO interviews_interview (id, name, first_seen_at)
            SELECT md5('interview' || i)::uuid, 'Interview ' || i, now()
            FROM generate_series(1, 40) i ON CONFLICT DO NOTHING
            """
        )
        cursor.execute(
            """
            INSERT INTO interviews_interviewresult (
                id, interview_id, question_set_id, status, interview_status, processing_status,
                profile_interview_id, candidate_external_id, candidate_name, candidate_email,
                recruiter_go_next_round, score, ai_analysis_recruiter_score, ai_analysis_recruiter,
                ai_analysis_recruiter_why_hire, ai_analysis_recruiter_why_not_hire, pdf_export_url,
                event, was_submitted, first_received_at, last_received_at, record_hash
            )
            SELECT
                gen_random_uuid(),
                md5('interview' || (1 + i %% 40))::uuid,
                md5('interview' || (1 + i %% 40))::uuid,
                CASE WHEN i %% 10 < 7 THEN 'active' ELSE 'draft' END,
                CASE WHEN i %% 10 < 8 THEN 'completed' WHEN i %% 10 = 8 THEN 'failed'
                     ELSE 'abandoned' END,
                'completed',
                gen_random_uuid(),
                'ATS-' || i,
                'Candidate ' || i,
                'candidate' || i || '@example.com',
                CASE WHEN i %% 5 = 0 THEN true WHEN i %% 5 = 1 THEN false END,
                CASE WHEN i %% 13 = 0 THEN NULL ELSE round((random() * 6 + 1)::numeric, 2) END,
                round((random() * 4 + 1)::numeric, 3),
                'Solid answers; limited on-call experience.',
                '["Clear answers", "Five years of Django"]'::jsonb,
                '["No on-call experience"]'::jsonb,
                'https://reports.example.com/' || i || '.pdf',
                CASE WHEN i %% 10 < 7 THEN 'submitted' WHEN i %% 10 < 8 THEN 'collected'
                     ELSE 'failed' END,
                i %% 10 < 7,
                now() - (i || ' seconds')::interval,
                now() - (i || ' seconds')::interval,
                md5(i::text)
            FROM generate_series(%s, %s) i
            """,
            [have + 1, rows],
        )
        cursor.execute("ANALYZE interviews_interviewresult")
    print(f"populated in {time.perf_counter() - started:.0f} s", flush=True)


def bench_ingest() -> None:
    from django.db import connection

    from interviews.ingest import delivery_receive

    payload = json.loads((ROOT / "examples" / "deliveries" / "submitted.json").read_text())

    def ingest_new() -> None:
        body = json.dumps({**payload, "id": str(uuid.uuid4())}).encode()
        delivery_receive(body=body, headers={}, source_ip="127.0.0.1")

    def ingest_update() -> None:
        body = json.dumps({**payload, "score": round(time.time() % 7, 3)}).encode()
        delivery_receive(body=body, headers={}, source_ip="127.0.0.1")

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_floor (id bigserial, body bytea)")
    body = json.dumps(payload).encode()

    def floor() -> None:
        # A bare insert of the body and a commit: the least a durable receiver must do.
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_floor (body) VALUES (%s)", [body])

    results = {
        "floor: bare insert + commit": median_ms(floor, 50),
        "ingest: new result": median_ms(ingest_new, 50),
        "ingest: update of one result": median_ms(ingest_update, 50),
    }
    base = results["floor: bare insert + commit"]
    print("\n## Webhook ingest (median of 50, ms per delivery)")
    for name, ms in results.items():
        print(f"  {name:40s} {ms:8.2f} ms   {ms / base:5.1f}x floor")


def bench_pages() -> None:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    from interviews.models import InterviewResult

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    result = InterviewResult.objects.order_by().first()
    assert result is not None

    def get(url: str, *, cold: bool = True, htmx: bool = False) -> Callable[[], object]:
        def call() -> None:
            if cold:  # the list's counts and charts are cached for a minute: measure without
                cache.clear()
            response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
            assert response.status_code == 200, (url, response.status_code)

        return call

    # A cursor deep into the default order: the 500,000th row's position.
    deep = client.get("/api/results/?page_size=1").json().get("next")
    pages = {
        "list: default (newest first)": "/results/",
        "list: status=active": "/results/?status=active",
        "list: score 4..6, sorted by -score": "/results/?score_min=4&score_max=6&ordering=-score",
        "list: event=submitted & decision=yes": "/results/?event=submitted&decision=yes",
        "list: ai_score ascending": "/results/?ordering=ai_score",
        "list: search q=Candidate 4242": "/results/?q=Candidate%204242",
        "detail page": f"/results/{result.pk}/",
        "api: list": "/api/results/",
        "api: next page from a cursor": deep or "/api/results/",
        "admin: results changelist": "/admin/interviews/interviewresult/",
    }
    print(f"\n## Pages at {InterviewResult.objects.count():,} results (median of {REPEAT}, ms)")
    for name, url in pages.items():
        print(f"  {name:40s} {median_ms(get(url)):8.1f} ms", flush=True)
    warm = median_ms(get("/results/", cold=False))
    print(f"  {'list: default, counts cached':40s} {warm:8.1f} ms", flush=True)
    table = median_ms(get("/results/?status=active", htmx=True))
    print(f"  {'list: htmx table swap (status=active)':40s} {table:8.1f} ms", flush=True)
    panel = median_ms(get("/results/summary/?status=active", htmx=True))
    print(f"  {'list: its counts and charts panel':40s} {panel:8.1f} ms", flush=True)


def bench_export() -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    query = "event=submitted&score_min=6"

    def export() -> None:
        response = client.get(f"/results/export.csv?{query}")
        for _ in response.streaming_content:  # type: ignore[attr-defined]
            pass

    def copy() -> None:
        buffer = io.BytesIO()
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY (SELECT * FROM interviews_interviewresult "
                "WHERE event = 'submitted' AND score >= 6) TO STDOUT WITH CSV HEADER"
            ) as copy,
        ):
            for chunk in copy:
                buffer.write(chunk)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM interviews_interviewresult WHERE event='submitted' AND score>=6"
        )
        rows = cursor.fetchone()[0]
    copy_ms = median_ms(copy, 3)
    export_ms = median_ms(export, 3)
    print(f"\n## CSV export of {rows:,} rows (median of 3)")
    print(f"  {'COPY ... TO STDOUT (floor)':40s} {copy_ms:8.0f} ms")
    print(f"  {'/results/export.csv':40s} {export_ms:8.0f} ms   {export_ms / copy_ms:5.1f}x COPY")


def main() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    populate(ROWS)
    bench_ingest()
    bench_pages()
    bench_export()


if __name__ == "__main__":
    main()
