from django import forms

from departments.models import Profile


class PreferencesForm(forms.ModelForm):
    """A person's own preferences."""

    class Meta:
        model = Profile
        fields = ["alert_digest"]
