"""Files attached to requests: limited in type and size, and never left behind by a transaction
that rolls back.

A file is written to storage before its row is inserted, and storage takes no part in the
database's transaction: an insert that fails, or a later step of the same filing that fails,
would leave the file on disk with no row pointing to it. Files are therefore written with
store_file inside atomic_with_files, which deletes them again when its transaction rolls back
(Django's on_commit has no counterpart for rollback). Use it for the outermost transaction that
stores files: a plain transaction.atomic around it that rolls back later would not tell it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tickets.models import ATTACHMENT_EXTENSIONS, ATTACHMENT_MAX_BYTES

# The files stored inside the outermost atomic_with_files block of this thread or task.
_stored: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("stored_files", default=None)


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


@contextmanager
def atomic_with_files() -> Iterator[None]:
    """transaction.atomic(), deleting the files stored inside it when it rolls back (a nested
    block that rolls back deletes its own files at once)."""
    token = _stored.set([]) if _stored.get() is None else None
    stored = _stored.get()
    assert stored is not None
    first = len(stored)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in stored[first:]:
            storage.delete(name)
        del stored[first:]
        raise
    finally:
        if token is not None:
            _stored.reset(token)


def store_file(file: FieldFile, upload: UploadedFile) -> None:
    """Write `upload` to storage for the unsaved row of `file`; inside atomic_with_files, so
    that a rollback deletes it again."""
    stored = _stored.get()
    if stored is None:
        raise RuntimeError("store_file() is called inside atomic_with_files() only.")
    file.save(upload.name or "file", upload, save=False)
    stored.append((file.storage, file.name))
