"""The backup archive format (core/backups/archive.py): what is written reads
back whole with its key, never without it, and any change to the file is
refused with a message that says what is wrong."""

from __future__ import annotations

import hashlib
import io
import os
import struct

import pytest
from cryptography.fernet import Fernet, MultiFernet

from core.backups import archive
from core.backups.archive import (
    ArchiveDamaged,
    ArchiveWriter,
    BackupKeyError,
    NotAnArchive,
    WrongKey,
)

KEY = Fernet.generate_key().decode()
OTHER_KEY = Fernet.generate_key().decode()
SECRET = b"Maria Clara dela Cruz, 0917 555 0199"


def _manifest(entries: dict[str, bytes]) -> dict:
    def described(data: bytes) -> dict:
        return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    return {
        "database": described(entries[archive.DATABASE_ENTRY]),
        "files": [
            {"name": name[len(archive.FILES_PREFIX) :], **described(data)}
            for name, data in entries.items()
            if name.startswith(archive.FILES_PREFIX)
        ],
    }


def make_archive(entries: dict[str, bytes], *, key: str = KEY, manifest=None, **writer) -> bytes:
    out = ArchiveWriter(Fernet(key), **writer)
    parts = [out.start({"created_at": "2031-06-03T00:00:00+00:00"})]
    for name, data in entries.items():
        parts.append(out.begin(name))
        parts.extend(out.data(data))
    parts.append(out.manifest(manifest if manifest is not None else _manifest(entries)))
    parts.append(out.end())
    return b"".join(parts)


def frames(raw: bytes) -> list[bytes]:
    """The length-prefixed frames after the magic line, each with its prefix."""
    found, offset = [], len(archive.MAGIC)
    while offset < len(raw):
        (length,) = struct.unpack(">I", raw[offset : offset + 4])
        found.append(raw[offset : offset + 4 + length])
        offset += 4 + length
    return found


def rebuild(frame_list: list[bytes]) -> bytes:
    return archive.MAGIC + b"".join(frame_list)


def check(raw: bytes, *keys: str) -> archive.Checked:
    return archive.check(io.BytesIO(raw), MultiFernet([Fernet(k) for k in keys or (KEY,)]))


ENTRIES = {
    archive.DATABASE_ENTRY: b"PGDMP" + SECRET * 10,
    "files/receipts/a.pdf": b"TINIGENC1\n" + os.urandom(3000),
    "files/consent-evidence/b.pdf": b"",
}


def test_what_is_written_reads_back_whole_with_its_checksums():
    raw = make_archive(ENTRIES)
    checked = check(raw)
    assert checked.entries == {
        name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in ENTRIES.items()
    }
    assert checked.size == len(raw)
    assert checked.sha256 == hashlib.sha256(raw).hexdigest()
    assert checked.header["format"] == archive.FORMAT


def test_nothing_of_the_content_is_readable_in_the_file():
    raw = make_archive(ENTRIES)
    assert raw.startswith(archive.MAGIC)
    for needle in (SECRET, b"Maria", b"PGDMP", b"receipts/a.pdf", b"TINIGENC1", b"sha256"):
        assert needle not in raw


def test_a_large_entry_is_written_and_read_in_bounded_frames():
    big = os.urandom(5 * archive.CHUNK + 123)
    entries = {archive.DATABASE_ENTRY: big}
    raw = make_archive(entries)
    sizes = [len(frame) for frame in frames(raw)]
    assert max(sizes) <= archive.MAX_FRAME
    assert len(sizes) == 1 + 1 + 6 + 1 + 1  # header, begin, six data frames, manifest, end
    assert check(raw).entries[archive.DATABASE_ENTRY][0] == len(big)


def test_stream_file_hands_out_the_frames_and_counts_them():
    chunks = [b"abc", b"", b"defgh", b"i" * 10]
    stream = archive.StreamFile(iter(chunks))
    reader = io.BufferedReader(stream, buffer_size=4)
    assert reader.read() == b"".join(chunks)
    assert stream.size == 18
    assert stream.sha256 == hashlib.sha256(b"".join(chunks)).hexdigest()


# --- Keys --------------------------------------------------------------------------------------


def test_the_wrong_key_is_told_plainly():
    raw = make_archive(ENTRIES)
    with pytest.raises(WrongKey, match="cannot be decrypted with BACKUP_ENCRYPTION_KEY"):
        check(raw, OTHER_KEY)


def test_an_old_key_after_the_new_one_still_reads_old_archives():
    raw = make_archive(ENTRIES, key=KEY)
    assert check(raw, OTHER_KEY, KEY).entries


def test_the_key_must_be_set(settings):
    settings.BACKUP_ENCRYPTION_KEY = []
    with pytest.raises(BackupKeyError, match="BACKUP_ENCRYPTION_KEY is not set"):
        archive.configured_keys()


def test_the_key_must_be_a_fernet_key(settings):
    settings.BACKUP_ENCRYPTION_KEY = [KEY, "not-a-key"]
    with pytest.raises(BackupKeyError, match="key number 2 is not a valid Fernet key"):
        archive.configured_keys()


def test_a_field_key_is_refused_as_a_backup_key(settings):
    settings.BACKUP_ENCRYPTION_KEY = [settings.FIELD_ENCRYPTION_KEY[0]]
    with pytest.raises(BackupKeyError, match="also a FIELD_ENCRYPTION_KEY"):
        archive.configured_keys()


def test_a_key_id_reveals_nothing_of_the_key():
    assert archive.key_id(KEY) == archive.key_id(KEY)
    assert archive.key_id(KEY) != archive.key_id(OTHER_KEY)
    assert len(archive.key_id(KEY)) == 16
    assert archive.key_id(KEY) not in KEY


# --- Tampering -------------------------------------------------------------------------------


def test_a_changed_byte_is_refused():
    raw = bytearray(make_archive(ENTRIES))
    raw[len(raw) // 2] ^= 0x01
    with pytest.raises(ArchiveDamaged, match=r"integrity check|impossible length|cut short"):
        check(bytes(raw))


def test_a_changed_first_frame_reads_as_a_wrong_key_or_change():
    raw = bytearray(make_archive(ENTRIES))
    raw[len(archive.MAGIC) + 30] ^= 0x01
    with pytest.raises(WrongKey, match="first bytes of the file were changed"):
        check(bytes(raw))


def test_a_file_cut_short_is_refused():
    raw = make_archive(ENTRIES)
    for cut in (len(raw) - 1, len(raw) - len(frames(raw)[-1]), len(archive.MAGIC) + 2):
        with pytest.raises(ArchiveDamaged, match="cut short"):
            check(raw[:cut])


def test_a_frame_removed_repeated_or_moved_is_refused():
    parts = frames(make_archive(ENTRIES))
    removed = [*parts[:3], *parts[4:]]
    repeated = [*parts[:3], parts[2], *parts[3:]]
    moved = [*parts[:2], parts[3], parts[2], *parts[4:]]
    for changed in (removed, repeated, moved):
        with pytest.raises(ArchiveDamaged, match="removed, repeated or moved"):
            check(rebuild(changed))


def test_a_frame_from_another_archive_with_the_same_key_is_refused():
    mine = frames(make_archive(ENTRIES))
    theirs = frames(make_archive(ENTRIES))
    with pytest.raises(ArchiveDamaged, match="belongs to another archive"):
        check(rebuild([*mine[:3], theirs[3], *mine[4:]]))


def test_bytes_after_the_end_are_refused():
    with pytest.raises(ArchiveDamaged, match="after the end"):
        check(make_archive(ENTRIES) + b"x")


def test_contents_that_do_not_match_the_manifest_are_refused():
    manifest = _manifest(ENTRIES)
    manifest["files"][0]["sha256"] = "0" * 64
    with pytest.raises(ArchiveDamaged, match=r"checksum or size differs: files/receipts/a\.pdf"):
        check(make_archive(ENTRIES, manifest=manifest))
    manifest = _manifest(ENTRIES)
    manifest["files"].append({"name": "gone.pdf", "size": 1, "sha256": "0" * 64})
    with pytest.raises(ArchiveDamaged, match=r"missing: files/gone\.pdf"):
        check(make_archive(ENTRIES, manifest=manifest))


def test_something_else_is_not_an_archive():
    for raw in (b"", b"PGDMP\x01\x0e", b"TINIGENC1\n" + b"x" * 100):
        with pytest.raises(NotAnArchive, match="not a Tinig backup archive"):
            check(raw)
