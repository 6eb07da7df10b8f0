"""Private files are encrypted at rest (core.encrypted_files): nothing of
an upload or a generated PDF is readable on disk without the key; whoever
may download gets the exact bytes; a wrong key serves nothing; the key
rotation covers files, including those written before encryption."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from core import encrypted_files
from core.encryption import DecryptionError
from core.files import PDF, PNG, encrypted_private_storage, private_storage
from reports import services as report_services
from reports.models import ReportJob
from tests.core.helpers import KEY_A, KEY_B, KEY_C
from tests.helpers import client_for
from tests.reports.factories import ReportJobFactory, ready_job

pytestmark = pytest.mark.django_db

MARKER_TEXT = b"Maria Clara Santos signed this form"
PDF_CONTENT = b"%PDF-1.4\n1 0 obj<<>>endobj\n% " + MARKER_TEXT + b"\n%%EOF\n"
PNG_CONTENT = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + MARKER_TEXT


def _on_disk(name: str) -> bytes:
    return (Path(settings.PRIVATE_STORAGE_ROOT) / name).read_bytes()


def _all_files() -> dict[str, bytes]:
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def _write_plaintext(name: str, content: bytes) -> None:
    """A file as it was stored before encryption existed."""
    path = Path(settings.PRIVATE_STORAGE_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out)
    return out.getvalue()


def _assert_nothing_readable(raw: bytes) -> None:
    assert raw.startswith(encrypted_files.MARKER)
    # Base64 text could hold "PNG" by chance; the signatures (with \x89, %) cannot.
    for plain in (PDF[0], PNG[0], b"%PDF", MARKER_TEXT, b"Maria"):
        assert plain not in raw


# --- At rest ----------------------------------------------------------------------------


@pytest.mark.parametrize("content", [PDF_CONTENT, PNG_CONTENT], ids=["pdf", "png"])
def test_bytes_on_disk_hold_none_of_the_plaintext(content):
    name = private_storage.save("evidence/form.bin", ContentFile(content))

    _assert_nothing_readable(_on_disk(name))
    with private_storage.open(name) as handle:
        assert handle.read() == content


@pytest.mark.pdf
def test_a_generated_pdf_is_encrypted_on_disk(admin_user):
    job = ReportJobFactory(
        requested_by=admin_user, params={"date_from": "2026-01-01", "date_to": "2026-01-31"}
    )

    report_services.report_render(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.READY
    _assert_nothing_readable(_on_disk(job.file.name))
    assert job.file.read().startswith(b"%PDF-")


def test_storage_reports_plaintext_size_and_refuses_paths_and_urls():
    name = private_storage.save("x/file.pdf", ContentFile(PDF_CONTENT))

    assert private_storage.size(name) == len(PDF_CONTENT)
    assert len(_on_disk(name)) > len(PDF_CONTENT)
    with pytest.raises(NotImplementedError):
        private_storage.path(name)
    with pytest.raises(ValueError, match="no URL"):
        private_storage.url(name)
    with pytest.raises(ValueError, match="never opened for writing"):
        private_storage.open(name, "wb")


def test_a_closed_file_reopens_from_the_storage():
    job = ready_job(content=PDF_CONTENT)
    job.file.open("rb")
    assert job.file.read() == PDF_CONTENT
    job.file.close()

    job.file.open("rb")

    assert job.file.read() == PDF_CONTENT


# --- Served --------------------------------------------------------------------------------


def test_download_streams_the_exact_original_bytes_with_the_same_headers(admin_user):
    job = ready_job(requested_by=admin_user, content=PDF_CONTENT)

    response = client_for(admin_user).get(reverse("reports:download", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF_CONTENT))
    assert response["Content-Disposition"].startswith('attachment; filename="tinig-document-')
    assert b"".join(response.streaming_content) == PDF_CONTENT


def test_a_wrong_key_is_a_clear_error_and_serves_nothing(admin_user, use_keys):
    use_keys(KEY_A)
    job = ready_job(requested_by=admin_user, content=PDF_CONTENT)
    use_keys(KEY_C)

    with pytest.raises(DecryptionError, match=re.escape(f"private file {job.file.name}")):
        private_storage.open(job.file.name)
    response = client_for(admin_user).get(reverse("reports:download", args=[job.pk]))

    assert response.status_code == 503
    assert not response.streaming
    assert MARKER_TEXT not in response.content and b"%PDF" not in response.content


def test_a_file_written_before_encryption_is_still_served(admin_user):
    job = ready_job(requested_by=admin_user, content=PDF_CONTENT)
    _write_plaintext(job.file.name, PDF_CONTENT)  # as an older version left it

    response = client_for(admin_user).get(reverse("reports:download", args=[job.pk]))

    assert b"".join(response.streaming_content) == PDF_CONTENT


# --- Rotation ------------------------------------------------------------------------------


def test_rotation_re_encrypts_files_and_the_old_key_can_then_be_dropped(use_keys):
    use_keys(KEY_A)
    names = [private_storage.save(f"receipts/r{i}.pdf", ContentFile(PDF_CONTENT)) for i in range(3)]
    names.append(private_storage.save("evidence/scan.png", ContentFile(PNG_CONTENT)))
    _write_plaintext("evidence/legacy.pdf", PDF_CONTENT)
    use_keys(KEY_B, KEY_A)

    output = rotate("--batch-size", "2")

    assert (
        "private files: 5 files, re-encrypted 4, encrypted 1 written before encryption, "
        "already current 0"
    ) in output
    assert "Private files: 5 of 5." in output
    for raw in _all_files().values():
        _assert_nothing_readable(raw)
        assert encrypted_files.is_current(raw)
    assert not any(name.startswith(".rotating-") for name in _all_files())
    use_keys(KEY_B)  # the old key is gone: everything still reads
    for name in [*names[:3], "evidence/legacy.pdf"]:
        assert private_storage.open(name).read() == PDF_CONTENT
    assert private_storage.open(names[3]).read() == PNG_CONTENT


def test_rotation_is_re_runnable_and_a_dry_run_changes_nothing(use_keys):
    use_keys(KEY_A)
    name = private_storage.save("receipts/r.pdf", ContentFile(PDF_CONTENT))
    _write_plaintext("evidence/legacy.pdf", PDF_CONTENT)
    use_keys(KEY_B, KEY_A)
    before = _all_files()

    dry = rotate("--dry-run")

    assert _all_files() == before
    assert "would re-encrypt 1, encrypted 1 written before encryption" in dry
    rotate()
    after = _all_files()
    again = rotate()
    assert _all_files() == after
    assert "private files: 2 files, re-encrypted 0, encrypted 0" in again
    assert "already current 2" in again
    assert "Nothing left to rotate" in again
    assert private_storage.open(name).read() == PDF_CONTENT


def test_rotation_stops_on_a_file_no_key_reads_and_keeps_what_it_did(use_keys):
    use_keys(KEY_C)
    private_storage.save("a/unreadable.pdf", ContentFile(PDF_CONTENT))
    use_keys(KEY_A)
    private_storage.save("0/first.pdf", ContentFile(PDF_CONTENT))
    use_keys(KEY_B, KEY_A)
    unreadable = _on_disk("a/unreadable.pdf")

    with pytest.raises(CommandError, match=r"private file a/unreadable\.pdf") as error:
        rotate()

    assert "PDF" not in str(error.value).replace("unreadable.pdf", "")
    assert _on_disk("a/unreadable.pdf") == unreadable
    assert encrypted_files.is_current(_on_disk("0/first.pdf"))


def test_rotation_output_holds_no_file_content(use_keys):
    use_keys(KEY_A)
    private_storage.save("evidence/form.pdf", ContentFile(PDF_CONTENT))
    use_keys(KEY_B, KEY_A)

    output = rotate()

    assert "Maria" not in output and KEY_A not in output and KEY_B not in output


def test_the_rotation_walks_the_same_storage_the_fields_use():
    assert encrypted_private_storage() is private_storage._wrapped
