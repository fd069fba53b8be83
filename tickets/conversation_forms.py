"""The forms of the request page's conversation: a comment with files, watching, linking a request
and closing one as a duplicate."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tickets.conversation import COMMENT_FILES_MAX, validate_comment_files
from tickets.forms import CommentForm
from tickets.models import Link


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is read as a FileField reads one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


class CommentWithFilesForm(CommentForm):
    files = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_("Optional; up to %(count)s files.") % {"count": COMMENT_FILES_MAX},
    )

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        try:
            validate_comment_files(uploads)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return uploads


class WatchForm(forms.Form):
    watch = forms.BooleanField(required=False)


# A request as people type it: its number (42, #42) or its reference (FIN-42).
REQUEST_NUMBER = re.compile(r"^#?(?:[A-Za-z0-9_]+-)?(\d{1,18})$")


class RequestNumberField(forms.CharField):
    def clean(self, value) -> int:
        text = super().clean(value).strip()
        match = REQUEST_NUMBER.match(text)
        if not match:
            raise forms.ValidationError(_("Type a request number, such as 42 or FIN-42."))
        return int(match.group(1))


class LinkForm(forms.Form):
    other = RequestNumberField(label=_("Request number"), max_length=40)
    kind = forms.ChoiceField(label=_("Link"), choices=Link.Kind.choices)


class UnlinkForm(forms.Form):
    link = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class DuplicateForm(forms.Form):
    version = forms.IntegerField(min_value=0)
    original = RequestNumberField(label=_("Original request number"), max_length=40)
