"""Field encryption that fails closed.

django-encrypted-model-fields, as shipped, builds its cipher once at import
and, when a value cannot be decrypted, quietly returns the ciphertext. Here:

* the cipher is built from ``settings.FIELD_ENCRYPTION_KEY`` (a list, newest
  key first) on first use and rebuilt when the setting changes;
* a value that no configured key can decrypt raises ``DecryptionError``
  naming the model and field (never the value);
* values typed into forms are never "decrypted": only values read from the
  database are.

Models use the field classes below, never the library's.
"""

from __future__ import annotations

import datetime
import threading
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from encrypted_model_fields import fields as library

if TYPE_CHECKING:
    # The library ships no types, so mypy would see its fields as Any. To the
    # type checker they are the Django fields they extend; at run time the
    # classes below are built exactly as before, on the library's.
    from django.db import models

    _MixinBase = models.Field[Any, Any]
    _CharBase = models.CharField
    _TextBase = models.TextField
    _EmailBase = models.EmailField
    _DateBase = models.DateField
else:
    _MixinBase = object
    _CharBase = library.EncryptedCharField
    _TextBase = library.EncryptedTextField
    _EmailBase = library.EncryptedEmailField
    _DateBase = library.EncryptedDateField


class DecryptionError(RuntimeError):
    """A stored value could not be decrypted with any configured key."""


_lock = threading.Lock()
# (all keys, newest key alone), built together and swapped as one value so a
# reader never sees one without the other.
_ciphers: tuple[MultiFernet, Fernet] | None = None


def configured_keys() -> list[str]:
    keys = settings.FIELD_ENCRYPTION_KEY
    if isinstance(keys, str):
        keys = keys.split(",")
    keys = [key.strip() for key in keys if key and key.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set: no key to encrypt with.")
    return keys


def _build() -> tuple[MultiFernet, Fernet]:
    fernets = []
    for position, key in enumerate(configured_keys(), start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as error:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEY: key number {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from error
    return MultiFernet(fernets), fernets[0]


def _current() -> tuple[MultiFernet, Fernet]:
    global _ciphers
    ciphers = _ciphers
    if ciphers is None:
        with _lock:
            if _ciphers is None:
                _ciphers = _build()
            ciphers = _ciphers
    return ciphers


def cipher() -> MultiFernet:
    return _current()[0]


def primary_key_cipher() -> Fernet:
    """The newest key alone: what a value re-encrypted by rotation reads with."""
    return _current()[1]


def reset_cipher() -> None:
    global _ciphers
    with _lock:
        _ciphers = None


def reset_cipher_on_setting_change(*, setting, **kwargs):
    if setting == "FIELD_ENCRYPTION_KEY":
        reset_cipher()


def encrypt_str(value: str) -> str:
    return cipher().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_str(token: str, *, where: str = "a stored value") -> str:
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        # "from None": a UnicodeEncodeError quotes the character it choked
        # on, which would put a piece of a stray plaintext into the log.
        raise DecryptionError(
            f"Cannot decrypt {where} with any key in FIELD_ENCRYPTION_KEY. "
            "The key list is wrong or incomplete; nothing was shown or changed."
        ) from None


def is_current(token: str) -> bool:
    """True when the newest key alone decrypts the token."""
    try:
        primary_key_cipher().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def rotate_token(token: str, *, where: str) -> str:
    try:
        return cipher().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise DecryptionError(
            f"Cannot decrypt {where} with any key in FIELD_ENCRYPTION_KEY; rotation stopped."
        ) from None


class FailClosedEncryptionMixin(_MixinBase):
    """Replaces the library's to_python/from_db_value/get_db_prep_save."""

    encrypted = True

    def _where(self) -> str:
        model = getattr(self, "model", None)
        label = model._meta.label if model is not None else "?"
        return f"{label}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        plain = decrypt_str(value, where=self._where())
        # Skip the library's to_python (which would try to decrypt again)
        # and convert with the plain Django field's.
        return super(library.EncryptedMixin, self).to_python(plain)

    def to_python(self, value):
        return super(library.EncryptedMixin, self).to_python(value)

    def get_db_prep_save(self, value, connection):
        value = super(library.EncryptedMixin, self).get_db_prep_save(value, connection)
        if value is None:
            return None
        return encrypt_str(str(value))


# ``_pyi_private_set_type`` / ``_pyi_private_get_type`` tell django-stubs what
# a model attribute of each field holds (declarations only, no values).


class EncryptedCharField(FailClosedEncryptionMixin, _CharBase):
    _pyi_private_set_type: str
    _pyi_private_get_type: str


class EncryptedTextField(FailClosedEncryptionMixin, _TextBase):
    _pyi_private_set_type: str
    _pyi_private_get_type: str


class EncryptedEmailField(FailClosedEncryptionMixin, _EmailBase):
    _pyi_private_set_type: str
    _pyi_private_get_type: str


class EncryptedDateField(FailClosedEncryptionMixin, _DateBase):
    _pyi_private_set_type: str | datetime.date
    _pyi_private_get_type: datetime.date


def is_encrypted_field(field) -> bool:
    return getattr(field, "encrypted", False) is True


def encrypted_field_names(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if is_encrypted_field(f)]


def models_with_encrypted_fields():
    from django.apps import apps

    return [model for model in apps.get_models() if encrypted_field_names(model)]
