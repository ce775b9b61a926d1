"""The API's output: a result under the platform's field names (see PLATFORM.md "Fields"), plus
what this product derives from its deliveries. Webhook input is validated in payloads.py."""

from rest_framework import serializers

from interviews.models import InterviewResult


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
        ]
        read_only_fields = fields
