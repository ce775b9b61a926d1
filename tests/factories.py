"""Factories for models. Deliveries in tests go through the webhook or `delivery_receive`
with the sample payloads; these build rows directly for list, filter and export tests."""

import uuid

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone

from interviews.models import Event, Interview, InterviewResult, ReportArchive, derive_event


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"recruiter{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class InterviewFactory(factory.django.DjangoModelFactory[Interview]):
    class Meta:
        model = Interview

    id = factory.LazyFunction(uuid.uuid4)
    name = factory.Sequence(lambda n: f"Interview {n}")


class InterviewResultFactory(factory.django.DjangoModelFactory[InterviewResult]):
    class Meta:
        model = InterviewResult

    id = factory.LazyFunction(uuid.uuid4)
    interview = factory.SubFactory(InterviewFactory)
    status = "active"
    interview_status = "completed"
    processing_status = "completed"
    profile_interview_id = factory.LazyFunction(uuid.uuid4)
    candidate_name = factory.Faker("name")
    candidate_email = factory.Faker("email")
    candidate_external_id = factory.Sequence(lambda n: f"ATS-{10000 + n}")
    score = factory.Faker("pyfloat", min_value=1, max_value=7, right_digits=2)
    ai_analysis_recruiter_score = factory.Faker("pyfloat", min_value=1, max_value=5, right_digits=3)
    ai_analysis_recruiter = "Solid answers; limited on-call experience."
    ai_analysis_recruiter_why_hire = factory.LazyFunction(lambda: ["Clear answers", "Django"])
    ai_analysis_recruiter_why_not_hire = factory.LazyFunction(lambda: ["No on-call"])
    pdf_export_url = "https://example.com/report.pdf?sig=abc"
    event = factory.LazyAttribute(lambda r: derive_event(r.status, r.interview_status))
    was_submitted = factory.LazyAttribute(lambda r: r.event == Event.SUBMITTED)
    first_received_at = factory.LazyFunction(timezone.now)
    last_received_at = factory.LazyAttribute(lambda r: r.first_received_at)
    record_hash = factory.LazyFunction(lambda: uuid.uuid4().hex)


class ReportArchiveFactory(factory.django.DjangoModelFactory[ReportArchive]):
    class Meta:
        model = ReportArchive

    result = factory.SubFactory(InterviewResultFactory)
    source_url = factory.LazyAttribute(lambda archive: archive.result.pdf_export_url)
    state = ReportArchive.State.PENDING
