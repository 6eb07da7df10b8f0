"""Private files and content-checked uploads, shared by every app that keeps
files people upload (consent evidence, checklist evidence, receipts).

``private_storage``: ``storages["private"]`` has no URL, so a file in it is
served only by a view that checks who is asking. A FileField evaluates a
storage callable once, when models are imported, so fields hold this lazy
handle (through ``get_private_storage``) instead; it looks the storage up
on first use and again after ``STORAGES`` changes (tests point it at a
temporary folder).

Every file in it is encrypted at rest (``EncryptedStorage``): ``TINIGENC1``
and a newline, then a Fernet token made with the newest key of
``FIELD_ENCRYPTION_KEY``, the same rotating list as the encrypted fields.
Reading decrypts in memory with any key of the list and raises
``DecryptionError`` when none fits (the 503 page, nothing served).
``rotate_encryption_keys`` re-encrypts files, and encrypts those written
before encryption existed.

``sniff_kind``: what a file is, recognised by its content (magic bytes),
never by its name or the type the browser claims: an executable renamed
``receipt.jpg`` is not a JPEG. ``check_upload`` checks content and
size with an app's own messages.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty

from core.encrypted_files import EncryptedStorage

# --- Private storage ------------------------------------------------------------------


class PrivateStorage(LazyObject):
    # The storage once looked up, or ``empty`` until then (and after a reset).
    _wrapped: object

    def _setup(self):
        self._wrapped = EncryptedStorage(storages["private"])


private_storage = PrivateStorage()


def encrypted_private_storage() -> EncryptedStorage:
    """The storage behind ``private_storage`` itself (what the key rotation
    walks and rewrites)."""
    if private_storage._wrapped is empty:
        private_storage._setup()
    storage = private_storage._wrapped
    if not isinstance(storage, EncryptedStorage):  # pragma: no cover (set up just above)
        raise TypeError("private_storage is not an EncryptedStorage")
    return storage


def get_private_storage():
    """The ``storage=`` callable of private FileFields (stable in migrations)."""
    return private_storage


def _reset_on_setting_change(*, setting, **kwargs):
    if setting in ("STORAGES", "PRIVATE_STORAGE_ROOT"):
        private_storage._wrapped = empty


setting_changed.connect(_reset_on_setting_change)


# --- Content sniffing -------------------------------------------------------------------

# Signatures of the document and image types Tinig accepts anywhere.
PDF = (b"%PDF-",)
JPEG = (b"\xff\xd8\xff",)
PNG = (b"\x89PNG\r\n\x1a\n",)


def head_bytes(file, length: int = 16) -> bytes:
    """The first bytes of an uploaded or stored file, leaving its position as it was."""
    handle = getattr(file, "file", None) or file
    try:
        position = handle.tell()
    except (AttributeError, OSError, ValueError):
        position = None
    try:
        handle.seek(0)
        head = handle.read(length)
    finally:
        if position is not None:
            handle.seek(position)
    return head if isinstance(head, bytes) else head.encode("latin-1")


def sniff_kind(file, signatures: Mapping[str, tuple[bytes, ...]]) -> str | None:
    """The name of the first kind in ``signatures`` whose magic bytes open
    the file (e.g. ``"pdf"``), or None."""
    head = head_bytes(file)
    for kind, prefixes in signatures.items():
        if any(head.startswith(prefix) for prefix in prefixes):
            return kind
    return None


def check_upload(
    file,
    *,
    signatures: Mapping[str, tuple[bytes, ...]],
    max_bytes: int,
    type_message,
    size_message,
    empty_message,
    code_prefix: str = "file",
) -> None:
    """Size at most ``max_bytes``, not empty, and content of one of
    ``signatures``; raises ValidationError with the app's own messages and
    codes (``<code_prefix>_too_large``, ``_empty``, ``_wrong_type``).
    Apps wrap it in a plain validator function (stable in migrations)."""
    if not file:
        return
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(size_message, code=f"{code_prefix}_too_large")
    if size == 0:
        raise ValidationError(empty_message, code=f"{code_prefix}_empty")
    if sniff_kind(file, signatures) is None:
        raise ValidationError(type_message, code=f"{code_prefix}_wrong_type")
