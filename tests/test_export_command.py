"""manage.py export_results: the CSV export for operators."""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from interviews.models import Export
from tests.factories import InterviewFactory, InterviewResultFactory

pytestmark = pytest.mark.django_db


def export(*args: str, stderr: Any = None) -> str:
    out = io.StringIO()
    call_command("export_results", *args, stdout=out, stderr=stderr or io.StringIO())
    return out.getvalue()


def rows(content: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.removeprefix("\ufeff"), newline="")))


def test_it_writes_the_file_and_says_how_many_rows(tmp_path: Path) -> None:
    InterviewResultFactory.create_batch(2)
    output = tmp_path / "out.csv"
    assert export(f"--output={output}") == f"Exported 2 results to {output}.\n"
    content = output.read_bytes()
    assert content.startswith(b"\xef\xbb\xbfid,interview_id,")
    assert len(rows(content.decode("utf-8"))) == 2


def test_dash_writes_the_csv_to_stdout_and_nothing_else() -> None:
    result = InterviewResultFactory.create()
    content = export("--output=-")
    assert content.startswith("\ufeffid,interview_id,")
    assert [row["id"] for row in rows(content)] == [str(result.id)]


def test_every_option_goes_through_the_filterset() -> None:
    interview = InterviewFactory.create()
    match = InterviewResultFactory.create(
        interview=interview,
        status="active",
        interview_status="completed, stopped early",
        processing_status="completed",
        recruiter_go_next_round=True,
        score=4.0,
        ai_analysis_recruiter_score=3.0,
        candidate_name="Ada Lovelace",
    )
    InterviewResultFactory.create(interview=interview, score=4.0, candidate_name="Ada Byron")
    content = export(
        "--status=active",
        "--status=archived",
        "--interview-status=completed, stopped early",
        "--processing-status=completed",
        "--event=submitted",
        "--decision=yes",
        "--score-min=4",
        "--score-max=4",
        "--ai-score-min=2.5",
        "--ai-score-max=3",
        f"--interview={interview.id}",
        "--q=ada",
        "--received-after=2000-01-01",
        "--received-before=2999-12-30",
        "--ordering=-score",
        "--output=-",
    )
    assert [row["id"] for row in rows(content)] == [str(match.id)]
    recorded = Export.objects.get()
    assert recorded.params["status"] == ["active", "archived"]
    assert recorded.params["interview_status"] == ["completed, stopped early"]
    assert recorded.params["q"] == ["ada"]


def test_it_records_the_export_without_a_user() -> None:
    InterviewResultFactory.create_batch(3)
    export("--output=-")
    recorded = Export.objects.get()
    assert (recorded.user, recorded.channel, recorded.rows, recorded.completed) == (
        None,
        "command",
        3,
        True,
    )


def test_a_bad_filter_is_a_command_error_with_the_message() -> None:
    with pytest.raises(CommandError, match=r"--score-min: Enter a number\."):
        export("--score-min=high", "--output=-")
    assert not Export.objects.exists()


def test_an_unwritable_output_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot write"):
        export(f"--output={tmp_path / 'missing' / 'out.csv'}")
    assert not Export.objects.exists()  # nothing was exported, so nothing is on record


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    InterviewResultFactory.create()
    stderr = io.StringIO()
    export(f"--output={tmp_path / 'out.csv'}", stderr=stderr)
    assert stderr.getvalue() == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    InterviewResultFactory.create_batch(2)
    stderr = Terminal()
    export(f"--output={tmp_path / 'out.csv'}", stderr=stderr)
    assert "2/2 results" in stderr.getvalue()
