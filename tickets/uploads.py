"""Files attached to requests: limited in type and size."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tickets.models import ATTACHMENT_EXTENSIONS, ATTACHMENT_MAX_BYTES


def validate_upload(upload: UploadedFile) -> None:
    """Attachments are limited in type and size (tickets.models)."""
    extension = Path(upload.name or "").suffix.lower().lstrip(".")
    if extension not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            _("Files of this type cannot be attached; use one of: %(types)s."),
            params={"types": ", ".join(ATTACHMENT_EXTENSIONS)},
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("This file is %(size)s; attachments are limited to %(limit)s."),
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(ATTACHMENT_MAX_BYTES),
            },
        )
