"""The backup archive: one file, encrypted, written and read as a stream.

``core/encrypted_files.py`` keeps a private file as ``TINIGENC1`` and one
Fernet token, which holds the whole file in memory: right for a 5 MB
receipt, not for a database dump of any size. An archive is therefore a
sequence of Fernet tokens (the same primitive: AES-128-CBC with
HMAC-SHA256), each over at most ``CHUNK`` bytes, made with the newest key of
``BACKUP_ENCRYPTION_KEY``, which is never one of the field keys::

    TINIGBAK1\\n
    frame, frame, ...    each: a 4-byte big-endian length, then a Fernet token

A token's plaintext is::

    archive id     16 random bytes, the same in every frame of one archive
    frame number   8 bytes, big-endian, from 0
    record type    1 byte
    payload

Records, in order: HEADER (JSON: format, when), then for each entry a BEGIN
(JSON: its name) followed by DATA records (its bytes), then MANIFEST
(JSON), then END (empty), after which the file ends. Every token is
authenticated; the id and the numbering chain the frames, and END closes
the file: a changed byte, a frame dropped, repeated, moved or taken from
another archive made with the same key, and a file cut short are each
refused, with a message that says which. The first frame is the key check:
when no configured key decrypts it, the key is wrong (or the first bytes of
the file were changed).

Memory: one frame at a time (a little over ``CHUNK``), whatever the size of
the archive. Keys: newest first, as with the field keys; a new archive uses
the first, and any of them reads an old one, so a key is retired only once
no archive still kept needs it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

MAGIC = b"TINIGBAK1\n"
FORMAT = 1
SUFFIX = ".tinigbak"
CHUNK = 1024 * 1024
# A token over CHUNK bytes is about 4/3 of it; anything far larger is not ours.
MAX_FRAME = 2 * CHUNK

HEADER, BEGIN, DATA, MANIFEST, END = range(5)
_PREFIX = struct.Struct(">16sQB")
_LENGTH = struct.Struct(">I")

DATABASE_ENTRY = "database.dump"
FILES_PREFIX = "files/"

GENERATE_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class BackupError(Exception):
    """A backup or a restore cannot go on; the message says why, for an operator."""


class ArchiveError(BackupError):
    """An archive cannot be used."""


class BackupKeyError(BackupError):
    """BACKUP_ENCRYPTION_KEY is missing or unusable."""


class NotAnArchive(ArchiveError):
    pass


class WrongKey(ArchiveError):
    pass


class ArchiveDamaged(ArchiveError):
    pass


# --- Keys ----------------------------------------------------------------------------


def key_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    return [key.strip() for key in value or [] if key and key.strip()]


def configured_keys() -> list[str]:
    """BACKUP_ENCRYPTION_KEY, newest first, checked: present, Fernet keys,
    and none of them a field key."""
    keys = key_list(settings.BACKUP_ENCRYPTION_KEY)
    if not keys:
        raise BackupKeyError(
            "BACKUP_ENCRYPTION_KEY is not set, so no archive can be made or read. "
            f"Generate a key with: {GENERATE_KEY} and keep it where FIELD_ENCRYPTION_KEY "
            "and LOOKUP_HMAC_KEYS are kept (never in the archive, never only on this machine)."
        )
    field_keys = set(key_list(settings.FIELD_ENCRYPTION_KEY))
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise BackupKeyError(
                f"BACKUP_ENCRYPTION_KEY: key number {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None
        if key in field_keys:
            raise BackupKeyError(
                f"BACKUP_ENCRYPTION_KEY: key number {position} is also a FIELD_ENCRYPTION_KEY. "
                "Backups need a key of their own."
            )
    return keys


def writing_key() -> Fernet:
    return Fernet(configured_keys()[0])


def reading_keys() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in configured_keys()])


def key_id(key: str) -> str:
    """A short name for a key that reveals nothing of it (a hash of a random
    32-byte key), so a manifest can say which keys its data needs."""
    return hashlib.sha256(b"tinig.key-id\x00" + key.encode()).hexdigest()[:16]


# --- Writing ---------------------------------------------------------------------------


def _json(value: dict) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


class ArchiveWriter:
    """The bytes of one archive, record by record; the caller writes them
    out in order (``backup_create`` streams them into the backups storage)."""

    def __init__(self, fernet: Fernet, *, archive_id: bytes | None = None):
        self._fernet = fernet
        self._id = archive_id or os.urandom(16)
        self._number = 0

    def _frame(self, kind: int, payload: bytes = b"") -> bytes:
        token = self._fernet.encrypt(_PREFIX.pack(self._id, self._number, kind) + payload)
        self._number += 1
        return _LENGTH.pack(len(token)) + token

    def start(self, header: dict) -> bytes:
        return MAGIC + self._frame(HEADER, _json({"format": FORMAT, **header}))

    def begin(self, name: str) -> bytes:
        return self._frame(BEGIN, _json({"name": name}))

    def data(self, chunk: bytes) -> Iterator[bytes]:
        for start in range(0, len(chunk), CHUNK):
            yield self._frame(DATA, chunk[start : start + CHUNK])

    def manifest(self, manifest: dict) -> bytes:
        return self._frame(MANIFEST, _json(manifest))

    def end(self) -> bytes:
        return self._frame(END)


class StreamFile(io.RawIOBase):
    """A read-only file over a generator of bytes (the archive as it is
    made), for a storage's ``save()``: nothing is held but the frame being
    handed over. Counts and hashes what it hands out."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._pending = b""
        self.size = 0
        self._sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._sha256.update(self._pending[:count])
        self._pending = self._pending[count:]
        self.size += count
        return count

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()


# --- Reading ---------------------------------------------------------------------------


class _HashingReader:
    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, count: int) -> bytes:
        data = self._stream.read(count)
        if isinstance(data, str):  # pragma: no cover - storages open in binary
            data = data.encode("latin-1")
        self.sha256.update(data)
        self.size += len(data)
        return data


def _read_exactly(stream: _HashingReader, count: int) -> bytes:
    parts = []
    while count:
        data = stream.read(count)
        if not data:
            break
        parts.append(data)
        count -= len(data)
    return b"".join(parts)


CUT_SHORT = (
    "The archive ends before its last frame: it was cut short (an interrupted write or copy?)."
)


def _records(stream: _HashingReader, keys: MultiFernet) -> Iterator[tuple[int, bytes]]:
    if _read_exactly(stream, len(MAGIC)) != MAGIC:
        raise NotAnArchive("This is not a Tinig backup archive (it does not start with TINIGBAK1).")
    archive_id = None
    number = 0
    offset = len(MAGIC)
    while True:
        length_bytes = _read_exactly(stream, _LENGTH.size)
        if len(length_bytes) < _LENGTH.size:
            raise ArchiveDamaged(CUT_SHORT)
        (length,) = _LENGTH.unpack(length_bytes)
        if not 0 < length <= MAX_FRAME:
            raise ArchiveDamaged(
                f"Frame {number} (at byte {offset}) has an impossible length: "
                "the archive was changed or damaged."
            )
        token = _read_exactly(stream, length)
        if len(token) < length:
            raise ArchiveDamaged(CUT_SHORT)
        try:
            plain = keys.decrypt(token)
        except InvalidToken:
            if number == 0:
                raise WrongKey(
                    "This archive cannot be decrypted with BACKUP_ENCRYPTION_KEY: the key is "
                    "not the one it was made with (or the first bytes of the file were changed)."
                ) from None
            raise ArchiveDamaged(
                f"Frame {number} (at byte {offset}) fails its integrity check: "
                "the archive was changed or damaged."
            ) from None
        if len(plain) < _PREFIX.size:
            raise ArchiveDamaged(f"Frame {number} is too short: the archive is damaged.")
        frame_id, frame_number, kind = _PREFIX.unpack_from(plain)
        if archive_id is None:
            archive_id = frame_id
        elif frame_id != archive_id:
            raise ArchiveDamaged(
                f"Frame {number} belongs to another archive: frames were mixed or replaced."
            )
        if frame_number != number:
            raise ArchiveDamaged(
                f"Frame {number} is numbered {frame_number}: frames were removed, repeated "
                "or moved."
            )
        if number == 0 and kind != HEADER:
            raise ArchiveDamaged("The archive does not start with its header.")
        offset += _LENGTH.size + length
        number += 1
        yield kind, plain[_PREFIX.size :]
        if kind == END:
            if stream.read(1):
                raise ArchiveDamaged("There are bytes after the end of the archive.")
            return


def _load(payload: bytes, what: str) -> dict:
    try:
        value = json.loads(payload)
    except ValueError:
        raise ArchiveDamaged(f"The archive's {what} is not readable.") from None
    if not isinstance(value, dict):
        raise ArchiveDamaged(f"The archive's {what} is not readable.")
    return value


def read_events(stream: IO[bytes] | _HashingReader, keys: MultiFernet) -> Iterator[tuple[str, Any]]:
    """("header", dict), then ("begin", name) and ("data", bytes) per entry,
    then ("manifest", dict); raises ArchiveError at the first thing wrong.
    The events before an error were authentic, but the archive as a whole
    is proven only once the iteration ends without one."""
    reader = stream if isinstance(stream, _HashingReader) else _HashingReader(stream)
    entry: str | None = None
    manifest_seen = False
    for kind, payload in _records(reader, keys):
        if kind == HEADER:
            if entry is not None or manifest_seen:
                raise ArchiveDamaged("The archive has a second header.")
            header = _load(payload, "header")
            if header.get("format") != FORMAT:
                raise ArchiveDamaged(
                    f"The archive is in format {header.get('format')!r}; this version of "
                    f"Tinig reads format {FORMAT}."
                )
            yield "header", header
        elif kind == BEGIN:
            if manifest_seen:
                raise ArchiveDamaged("The archive has an entry after its manifest.")
            entry = _load(payload, "entry header").get("name")
            if not isinstance(entry, str) or not entry:
                raise ArchiveDamaged("The archive has an entry without a name.")
            yield "begin", entry
        elif kind == DATA:
            if entry is None or manifest_seen:
                raise ArchiveDamaged("The archive has data outside an entry.")
            yield "data", payload
        elif kind == MANIFEST:
            if manifest_seen:
                raise ArchiveDamaged("The archive has two manifests.")
            manifest_seen = True
            entry = None
            yield "manifest", _load(payload, "manifest")
        elif kind == END:
            if not manifest_seen:
                raise ArchiveDamaged("The archive ends without its manifest.")
        else:
            raise ArchiveDamaged(f"The archive has a record of unknown type {kind}.")


# --- Checking a whole archive ---------------------------------------------------------------


@dataclass
class Checked:
    """What reading a whole archive found, everything in it proven."""

    header: dict
    manifest: dict
    # Entry name: (size, SHA-256 of its bytes).
    entries: dict[str, tuple[int, str]] = field(default_factory=dict)
    size: int = 0
    sha256: str = ""


def expected_entries(manifest: dict) -> dict[str, tuple[int, str]]:
    """The entries a manifest lists, with their sizes and checksums."""
    try:
        database = manifest["database"]
        entries = {DATABASE_ENTRY: (int(database["size"]), str(database["sha256"]))}
        for item in manifest["files"]:
            entries[FILES_PREFIX + str(item["name"])] = (int(item["size"]), str(item["sha256"]))
    except (KeyError, TypeError, ValueError):
        raise ArchiveDamaged("The archive's manifest is incomplete.") from None
    return entries


def compare_with_manifest(manifest: dict, found: dict[str, tuple[int, str]]) -> None:
    expected = expected_entries(manifest)
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    wrong = sorted(name for name in set(expected) & set(found) if expected[name] != found[name])
    if missing or extra or wrong:
        problems = []
        if missing:
            problems.append(f"missing: {', '.join(missing[:5])}")
        if extra:
            problems.append(f"not in the manifest: {', '.join(extra[:5])}")
        if wrong:
            problems.append(f"checksum or size differs: {', '.join(wrong[:5])}")
        raise ArchiveDamaged(
            "The archive's contents do not match its manifest (" + "; ".join(problems) + ")."
        )


def check(stream: IO[bytes], keys: MultiFernet) -> Checked:
    """Read the whole archive, decrypting every frame and checking every
    entry against the manifest; nothing is kept but checksums."""
    reader = _HashingReader(stream)
    header: dict = {}
    manifest: dict | None = None
    found: dict[str, tuple[int, str]] = {}
    current: str | None = None
    digest = hashlib.sha256()
    size = 0

    def close_entry() -> None:
        if current is not None:
            if current in found:
                raise ArchiveDamaged(f"The archive holds {current} twice.")
            found[current] = (size, digest.hexdigest())

    for event, value in read_events(reader, keys):
        if event == "header":
            header = value
        elif event == "begin":
            close_entry()
            current, digest, size = value, hashlib.sha256(), 0
        elif event == "data":
            digest.update(value)
            size += len(value)
        elif event == "manifest":
            close_entry()
            current = None
            manifest = value
    if manifest is None:  # pragma: no cover - read_events refuses it first
        raise ArchiveDamaged("The archive ends without its manifest.")
    compare_with_manifest(manifest, found)
    return Checked(
        header=header,
        manifest=manifest,
        entries=found,
        size=reader.size,
        sha256=reader.sha256.hexdigest(),
    )
