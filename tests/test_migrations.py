"""The PostgreSQL-only indexes that migrations 0002 and 0004 add by hand."""

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only indexes"),
]


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'interviews_interviewresult'"
        )
        return {row[0] for row in cursor.fetchall()}


def test_the_descending_score_sorts_and_the_search_have_their_indexes() -> None:
    names = index_names()
    assert {"result_score_desc_idx", "result_ai_score_desc_idx"} <= names
    assert {name for name in names if name.startswith("result_search_")} == {
        "result_search_candidate_name_trgm",
        "result_search_candidate_email_trgm",
        "result_search_candidate_external_id_trgm",
        "result_search_ai_analysis_recruiter_trgm",
        "result_search_ai_analysis_recruiter_why_hire_trgm",
        "result_search_ai_analysis_recruiter_why_not_hire_trgm",
    }


def test_the_search_index_serves_the_filters_expression() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM interviews_interviewresult "
            "WHERE UPPER(candidate_name::text) LIKE UPPER('%%tamm%%')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "result_search_candidate_name_trgm" in plan


@pytest.mark.django_db(transaction=True)
def test_the_indexes_come_and_go_with_their_migrations() -> None:
    call_command("migrate", "interviews", "0001", verbosity=0)
    assert not {name for name in index_names() if "desc_idx" in name or "_trgm" in name}
    call_command("migrate", "interviews", verbosity=0)
    assert "result_search_candidate_name_trgm" in index_names()
