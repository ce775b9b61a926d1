"""The API's output: a result under the platform's field names (see PLATFORM.md "Fields"), plus
what this product derives from its deliveries. Webhook input is validated in payloads.py."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from interviews.models import InterviewResult, ReportArchive


class ReportArchiveSerializer(serializers.ModelSerializer[ReportArchive]):
    last_error = serializers.CharField(
        read_only=True, help_text="Why the latest download failed, in words; empty otherwise."
    )

    class Meta:
        model = ReportArchive
        fields = ["state", "archived_at", "size", "sha256", "attempts", "last_error"]
        read_only_fields = fields


def _archive(result: InterviewResult) -> ReportArchive | None:
    try:
        return result.report_archive
    except ReportArchive.DoesNotExist:
        return None


class ResultSerializer(serializers.ModelSerializer[InterviewResult]):
    interview_id = serializers.UUIDField(read_only=True, allow_null=True)
    interview_name = serializers.CharField(
        source="interview.name",
        read_only=True,
        allow_null=True,
        help_text="The name recruiters gave the interview; null when the result names none.",
    )
    ai_analysis_recruiter_why_hire = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Reasons to hire, one per item."
    )
    ai_analysis_recruiter_why_not_hire = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Reasons not to hire, one per item.",
    )
    reset_for_retake = serializers.BooleanField(
        read_only=True,
        help_text="The result was submitted, then sent back to draft for a retake.",
    )

    report_pdf_url = serializers.SerializerMethodField(
        help_text="The kept copy of the PDF report (absolute URL); null until one is kept."
    )
    report_archive = serializers.SerializerMethodField(
        help_text=(
            "How keeping the PDF report went: `state` pending (not kept yet), kept or failed; "
            "null when the platform sent no report link."
        )
    )

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_report_pdf_url(self, result: InterviewResult) -> str | None:
        archive = _archive(result)
        if archive is None or not archive.file:
            return None
        url = reverse("result-report", args=[result.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(ReportArchiveSerializer(allow_null=True))
    def get_report_archive(self, result: InterviewResult) -> dict[str, Any] | None:
        archive = _archive(result)
        return ReportArchiveSerializer(archive).data if archive is not None else None

    class Meta:
        model = InterviewResult
        fields = [
            "id",
            "interview_id",
            "question_set_id",
            "status",
            "interview_status",
            "processing_status",
            "profile_interview_id",
            "profile_id",
            "candidate_external_id",
            "candidate_name",
            "candidate_email",
            "candidate_phone_number",
            "recruiter_go_next_round",
            "score",
            "ai_analysis_recruiter_score",
            "ai_analysis_recruiter",
            "ai_analysis",
            "ai_analysis_recruiter_why_hire",
            "ai_analysis_recruiter_why_not_hire",
            "pdf_export_url",
            "pdf_export_valid_until",
            "reason",
            "event",
            "reset_for_retake",
            "interview_name",
            "first_received_at",
            "last_received_at",
            "report_pdf_url",
            "report_archive",
        ]
        read_only_fields = fields
