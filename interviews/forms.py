"""Forms of the recruiter pages: naming an interview, and how the one FilterSet's form is shown."""

from django import forms

from interviews.filters import ResultFilter
from interviews.models import Interview


class InterviewRenameForm(forms.ModelForm):
    """Give an interview the name recruiters know it by (blank: back to its short id)."""

    class Meta:
        model = Interview
        fields = ["name"]
        labels = {"name": "Interview name"}
        help_texts = {"name": "The job or question set, as your team calls it."}

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if any(not character.isprintable() for character in name):
            raise forms.ValidationError("Use letters, digits and punctuation only.")
        return name


def filter_form_prepare(filterset: ResultFilter, *, status_values: dict[str, list[str]]) -> None:
    """Shape the FilterSet's own form for the page: checkboxes, radios and typed inputs.

    The fields, names and validation stay the FilterSet's: only widgets and choices change, so the
    page cannot drift from the API and the export.
    """
    fields = filterset.form.fields
    for name in status_values:
        fields[name].choices = [(value, value) for value in status_values[name]]
        fields[name].widget = forms.CheckboxSelectMultiple(choices=fields[name].choices)
    fields["event"].widget = forms.CheckboxSelectMultiple(choices=fields["event"].choices)
    fields["interview"].widget = forms.CheckboxSelectMultiple()
    fields["interview"].widget.choices = fields["interview"].choices
    fields["decision"].widget = forms.RadioSelect(choices=fields["decision"].choices)
    errors = filterset.form.errors if filterset.is_bound else {}
    for name in ("score_min", "score_max", "ai_score_min", "ai_score_max"):
        # A number input shows nothing for "abc": keep an invalid value visible beside its error.
        widget = forms.TextInput if name in errors else forms.NumberInput
        fields[name].widget = widget(attrs={"step": "any", "inputmode": "decimal"})
    for name in ("received_after", "received_before"):
        # A date picker cannot show a date-time someone typed into the URL: keep it as text
        # so that the next change of another filter does not silently drop it.
        value = str(filterset.data.get(name, ""))
        is_date = len(value) <= len("2026-01-31") and name not in errors
        fields[name].widget = forms.DateInput(attrs={"type": "date" if is_date else "text"})
    fields["q"].widget = forms.TextInput(
        attrs={
            "type": "search",
            "placeholder": "Name, e-mail, ATS id or a reason",
            "autocomplete": "off",
        }
    )
