"""Private files encrypted at rest, with the keys of the encrypted fields.

``EncryptedStorage`` wraps the ``private`` storage (a folder, or a bucket
of S3-compatible object storage: config/settings/storage.py). It only uses
the Storage API of what it wraps, plus an atomic rename where the wrapped
storage has local paths and a same-key write where it has none
(``replace``). What it writes is::

    TINIGENC1\\n<Fernet token made with the newest key of FIELD_ENCRYPTION_KEY>

The marker tells an encrypted file from one written before encryption
existed, without guessing: a plaintext PDF, PNG or JPEG never starts with
it. Reading decrypts with any key of the list (``MultiFernet``) and raises
``core.encryption.DecryptionError`` when none fits, before a single byte
is handed to a response: ``DecryptionErrorMiddleware`` answers with its
503 page and nothing is served. A file without the marker is read as it
is (and logged, by name only) until ``rotate_encryption_keys`` encrypts it.

Whole files in memory, on purpose: Fernet has no streaming mode, and the
largest files Tinig keeps are uploads of at most 5 MB
(``DATA_UPLOAD_MAX_MEMORY_SIZE``, the receipt and evidence validators) and
generated PDFs of a few MB. A 5 MB file is a ~6.7 MB token on disk and a
few tens of MB of memory for the moment it is read or written.

Content checks on upload (``core.files.check_upload``) read the uploaded
file before it reaches the storage, so they see plaintext; a stored file
opened again (``FieldFile.open``) is the decrypted bytes, so magic-byte
checks, pypdf and ``FileResponse`` (Content-Length, streaming) see exactly
what was uploaded. ``path()`` is refused: a path would lead to ciphertext.

``rotate_file`` is what ``rotate_encryption_keys`` runs on each file.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage

from core import encryption

logger = logging.getLogger(__name__)

MARKER = b"TINIGENC1\n"


# --- Bytes ---------------------------------------------------------------------------


def is_encrypted(raw: bytes) -> bool:
    return raw.startswith(MARKER)


def encrypt_bytes(plain: bytes) -> bytes:
    """The marker and a Fernet token made with the newest key."""
    return MARKER + encryption.cipher().encrypt(plain)


def decrypt_bytes(raw: bytes, *, where: str) -> bytes:
    """The plaintext of a stored file; a file without the marker is returned
    as it is (written before encryption; the rotation encrypts it)."""
    if not is_encrypted(raw):
        logger.warning("Private file %s is not encrypted yet: run rotate_encryption_keys.", where)
        return raw
    try:
        return encryption.cipher().decrypt(raw[len(MARKER) :])
    except InvalidToken:
        raise encryption.DecryptionError(
            f"Cannot decrypt {where} with any key in FIELD_ENCRYPTION_KEY. "
            "The key list is wrong or incomplete; nothing was shown or changed."
        ) from None


def is_current(raw: bytes) -> bool:
    """True when the file is encrypted and the newest key alone reads it."""
    if not is_encrypted(raw):
        return False
    try:
        encryption.primary_key_cipher().decrypt(raw[len(MARKER) :])
    except InvalidToken:
        return False
    return True


# --- The storage --------------------------------------------------------------------


class DecryptedFile(File):
    """The plaintext of a stored file, in memory. Reopened after being
    closed (a FieldFile may be), it reads the storage again rather than a
    path: its name is a storage name, never a local file."""

    def __init__(self, content: bytes, *, name: str, storage: EncryptedStorage):
        super().__init__(io.BytesIO(content), name=name)
        self._storage = storage
        self._storage_name = name

    def open(self, mode=None, *args, **kwargs):
        if not self.closed:
            self.seek(0)
        else:
            self.file = self._storage.open(self._storage_name, "rb").file
        return self


class EncryptedStorage(Storage):
    """Encrypts on save and decrypts on open; names, listing, existence and
    deletion are the wrapped storage's."""

    def __init__(self, inner: Storage):
        self.inner = inner

    # Reading and writing.

    def _read_raw(self, name: str) -> bytes:
        with self.inner.open(name, "rb") as handle:
            data = handle.read()
        return data if isinstance(data, bytes) else data.encode("latin-1")

    def _open(self, name, mode="rb"):
        if any(flag in mode for flag in "wa+"):
            raise ValueError("Private files are written through save(), never opened for writing.")
        plain = decrypt_bytes(self._read_raw(name), where=f"private file {name}")
        return DecryptedFile(plain, name=name, storage=self)

    def _save(self, name, content):
        if hasattr(content, "seek"):
            content.seek(0)
        plain = b"".join(
            chunk if isinstance(chunk, bytes) else chunk.encode("utf-8")
            for chunk in content.chunks()
        )
        # get_available_name already ran on this storage (the wrapped
        # one's), so the wrapped save keeps the name unless a file took it
        # in the meantime, in which case it picks another, as it would.
        return self.inner.save(name, ContentFile(encrypt_bytes(plain)))

    def replace(self, name: str, raw: bytes) -> None:
        """Write ``raw`` (already encrypted) in place of ``name``, atomically
        where the wrapped storage has local paths: a reader sees the old
        file or the new one, never half of either."""
        try:
            path = self.inner.path(name)
        except NotImplementedError:
            # Object storage: one PUT under the same key replaces the object
            # as a whole (a reader gets the old one or the new one). The
            # backend's own _save writes under the name it is given; save()
            # would first look for a free name, since the key is taken.
            # (Every backend implements _save; Storage itself declares no such method.)
            saved = self.inner._save(name, ContentFile(raw))  # type: ignore[attr-defined]
            if saved != name:
                raise RuntimeError(f"private file {name} was saved as {saved}") from None
            return
        directory = os.path.dirname(path)
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".rotating-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            mode = getattr(self.inner, "file_permissions_mode", None)
            if mode is not None:
                os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    # Everything else is the wrapped storage's.

    def size(self, name):
        """The plaintext size (the file is decrypted to know it)."""
        return self.open(name).size

    def path(self, name):
        raise NotImplementedError("Private files are encrypted: there is no plaintext path.")

    def url(self, name):
        raise ValueError("Private files have no URL; a view that checks access serves them.")

    def delete(self, name):
        return self.inner.delete(name)

    def exists(self, name):
        return self.inner.exists(name)

    def listdir(self, path):
        return self.inner.listdir(path)

    def get_valid_name(self, name):
        return self.inner.get_valid_name(name)

    def get_alternative_name(self, file_root, file_ext):
        return self.inner.get_alternative_name(file_root, file_ext)

    def get_available_name(self, name, max_length=None):
        return self.inner.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.inner.generate_filename(filename)

    def get_accessed_time(self, name):
        return self.inner.get_accessed_time(name)

    def get_created_time(self, name):
        return self.inner.get_created_time(name)

    def get_modified_time(self, name):
        return self.inner.get_modified_time(name)


# --- Rotation ---------------------------------------------------------------------------


@dataclass
class FileTally:
    files: int = 0
    encrypted: int = 0  # written before encryption, now encrypted
    rotated: int = 0  # re-encrypted with the newest key
    current: int = 0  # already under the newest key

    def add(self, other: FileTally) -> None:
        self.files += other.files
        self.encrypted += other.encrypted
        self.rotated += other.rotated
        self.current += other.current

    @property
    def changed(self) -> int:
        return self.encrypted + self.rotated


def walk(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name in the storage, folder by folder, in a stable order.
    Left-over temporary files of an interrupted rotation are skipped."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # nothing stored yet (or the folder just went)
        return
    for name in sorted(files):
        if not name.startswith(".rotating-"):
            yield f"{directory}/{name}" if directory else name
    for sub in sorted(directories):
        yield from walk(storage, f"{directory}/{sub}" if directory else sub)


def batches(names: Iterator[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for name in names:
        batch.append(name)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def rotate_file(storage: EncryptedStorage, name: str, *, dry_run: bool, tally: FileTally) -> None:
    """Encrypt a plaintext file, or re-encrypt one with the newest key; a
    file the newest key already reads is left alone (so the rotation can be
    re-run and interrupted). Raises DecryptionError, naming the file, when no
    key reads it; the file is left as it was."""
    tally.files += 1
    try:
        raw = storage._read_raw(name)
    except FileNotFoundError:
        tally.files -= 1  # deleted since it was listed
        return
    if is_current(raw):
        tally.current += 1
        return
    where = f"private file {name}"
    if is_encrypted(raw):
        plain = decrypt_bytes(raw, where=where)
        tally.rotated += 1
    else:
        plain = raw
        tally.encrypted += 1
    if not dry_run:
        storage.replace(name, encrypt_bytes(plain))
