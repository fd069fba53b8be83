"""The admin's org file forms: the upload, and the confirmation of a preview."""

from django import forms
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from directory.sources import orgfile


class OrgFileForm(forms.Form):
    file = forms.FileField(
        label=_("Org file"),
        validators=[FileExtensionValidator(["csv", "xlsx"])],
        help_text=_("CSV (UTF-8 or GBK) or XLSX, one row per person and department."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > orgfile.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s.")
                % {"limit": filesizeformat(orgfile.MAX_BYTES)}
            )
        return upload


class ConfirmForm(forms.Form):
    """What the preview showed: the signed upload and the digest of its plan."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=2000)
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ApiTokenChangeForm(forms.Form):
    """The confirmation of a change of one's API token: the fingerprint of the token the page
    showed ("" for none), so that a change made meanwhile is not overwritten unseen."""

    seen = forms.RegexField(regex=r"^[0-9a-f]{16}$", required=False, widget=forms.HiddenInput)
