"""Credentials encrypted at rest: a text field stored as a Fernet token.

The keys come from the ENCRYPTION_KEYS setting (the first encrypts, all decrypt); without it, one
key derived from SECRET_KEY, with SECRET_KEY_FALLBACKS for decryption, so that development needs
nothing. An encrypted value cannot be compared in SQL (each encryption differs), so the field
accepts no lookup but `isnull`."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils.crypto import salted_hmac

KEY_SALT = "accord.common.encrypted"


class UndecryptableValue(Exception):
    """A stored value that none of the keys decrypts (a dropped or wrong key)."""


def derived_key(secret_key: str) -> bytes:
    """The Fernet key derived from a Django SECRET_KEY."""
    digest = salted_hmac(KEY_SALT, "fernet", secret=secret_key, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest)


def encryption_keys() -> list[bytes]:
    """The keys in use, the one that encrypts first."""
    if settings.ENCRYPTION_KEYS:
        return [key.encode() for key in settings.ENCRYPTION_KEYS]
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return [derived_key(secret) for secret in secrets]


def fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in encryption_keys()])


def encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode()


def decrypt(token: str, *, label: str) -> str:
    """The plain text of `token`; UndecryptableValue naming `label` when no key decrypts it."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise _undecryptable(label) from None


def _undecryptable(label: str) -> UndecryptableValue:
    return UndecryptableValue(
        f"{label}: the stored value cannot be decrypted with any encryption key "
        "(ENCRYPTION_KEYS, or SECRET_KEY and SECRET_KEY_FALLBACKS when it is unset). "
        "Was the key that encrypted it dropped?"
    )


class Unreadable(str):
    """A stored value no key decrypts, read as "" and saved back as it was (its token)."""

    token: str

    def __new__(cls, token: str) -> Unreadable:
        value = super().__new__(cls, "")
        value.token = token
        return value


def is_unreadable(value: object) -> bool:
    return isinstance(value, Unreadable)


class EncryptedTextField(models.TextField):
    """Text kept encrypted in the database and plain in Python. The empty string stays empty
    (it holds no credential). `max_length` limits the plain text. With `keep_unreadable`, a
    value no key decrypts loads as `Unreadable` (so that its row can still be shown and marked)
    instead of raising UndecryptableValue."""

    def __init__(self, *args, keep_unreadable: bool = False, **kwargs):
        # Behaviour in Python only (the column is the same): left out of deconstruct().
        self.keep_unreadable = keep_unreadable
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return decrypt(value, label=self.label)
        except UndecryptableValue:
            if self.keep_unreadable:
                return Unreadable(value)
            raise

    def get_prep_value(self, value):
        if isinstance(value, Unreadable):
            return value.token
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


def encrypted_fields(model: type[models.Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedTextField) and field.model is model
    ]


def _tokens(model: type[models.Model], name: str) -> list[tuple[int, str]]:
    """The stored (undecrypted) non-empty values of column `name`, rows locked."""
    rows = (
        model._base_manager.select_for_update()
        .annotate(stored=Cast(name, models.TextField()))
        .exclude(stored="")
        .exclude(stored__isnull=True)
        .order_by("pk")
        .values_list("pk", "stored")
    )
    return list(rows)


def _store(model: type[models.Model], pk: int, name: str, stored: str) -> None:
    model._base_manager.filter(pk=pk).update(
        **{name: models.Value(stored, output_field=models.TextField())}
    )


@transaction.atomic
def encrypt_column(model: type[models.Model], name: str) -> None:
    """Encrypt the plain values of column `name` (a data migration's forward step)."""
    for pk, plain in _tokens(model, name):
        _store(model, pk, name, encrypt(plain))


@transaction.atomic
def decrypt_column(model: type[models.Model], name: str) -> None:
    """Decrypt the values of column `name` back to plain text (a data migration's reverse)."""
    label = f"{model._meta.label}.{name}"
    for pk, token in _tokens(model, name):
        _store(model, pk, name, decrypt(token, label=label))


@transaction.atomic
def rotate_column(model: type[models.Model], name: str) -> int:
    """Re-encrypt with the first key every value of column `name` another key encrypted; the
    number of values re-encrypted (none the second time)."""
    label = f"{model._meta.label}.{name}"
    current = Fernet(encryption_keys()[0])
    every = fernet()
    rotated = 0
    for pk, token in _tokens(model, name):
        try:
            current.decrypt(token.encode())
            continue
        except InvalidToken:
            pass
        try:
            fresh = every.rotate(token.encode()).decode()
        except InvalidToken:
            raise _undecryptable(label) from None
        _store(model, pk, name, fresh)
        rotated += 1
    return rotated
