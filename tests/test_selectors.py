from typing import Any

import pytest
from django.http import QueryDict

from interviews.selectors import FilterError, result_list, result_status_values, result_summary
from tests.factories import InterviewResultFactory

pytestmark = pytest.mark.django_db


def test_status_values_are_the_documented_ones_then_those_in_the_data() -> None:
    InterviewResultFactory.create(status="active", interview_status="paused")
    InterviewResultFactory.create(status="active", interview_status="completed, stopped early")
    InterviewResultFactory.create(status="active", interview_status=None)

    values = result_status_values(field="interview_status")

    assert values[:6] == [
        "ongoing",
        "failed",
        "abandoned",
        "terminated, no speech detected",
        "completed",
        "completed, stopped early",
    ]
    assert values[6:] == ["paused"]


def test_status_values_are_found_past_the_first_and_before_the_last() -> None:
    for status in ["zeta", "alpha", "mid", "alpha"]:
        InterviewResultFactory.create(status=status)

    assert result_status_values(field="status") == [
        "draft",
        "active",
        "archived",
        "alpha",
        "mid",
        "zeta",
    ]


def test_result_list_raises_with_every_invalid_parameter() -> None:
    with pytest.raises(FilterError) as raised:
        result_list(params=QueryDict("score_min=x&decision=maybe&status=anything"))

    assert set(raised.value.errors) == {"score_min", "decision"}


def test_the_summary_of_a_filter_is_computed_once_a_minute(
    django_assert_num_queries: Any,
) -> None:
    InterviewResultFactory.create(status="active", recruiter_go_next_round=True)
    queryset = result_list(params=QueryDict("status=active"))
    with django_assert_num_queries(1):
        first = result_summary(queryset=queryset)
    with django_assert_num_queries(0):
        assert result_summary(queryset=queryset) == first
    with django_assert_num_queries(1):
        result_summary(queryset=result_list(params=QueryDict("status=draft")))
    assert first.total == 1
    assert first.decisions["yes"] == 1
