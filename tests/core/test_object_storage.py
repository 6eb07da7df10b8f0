"""Private files in S3-compatible object storage, when configured: the same
encrypted storage over a bucket (a real S3 server, over HTTP:
tests/object_storage.py), so every web and worker container on every host
shares them. Without a bucket they stay in the folder."""

from __future__ import annotations

from io import StringIO

import environ
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from config.settings.storage import S3_BACKEND, private_storages
from core import encrypted_files
from core.files import PDF, PNG, private_storage
from reports import services as report_services
from reports.models import ReportJob
from tests.core.helpers import KEY_A, KEY_B
from tests.helpers import client_for
from tests.reports.factories import ready_job

pytestmark = pytest.mark.django_db

MARKER_TEXT = b"Maria Clara Santos signed this form"
PDF_CONTENT = b"%PDF-1.4\n1 0 obj<<>>endobj\n% " + MARKER_TEXT + b"\n%%EOF\n"
PNG_CONTENT = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + MARKER_TEXT


def _assert_nothing_readable(raw: bytes) -> None:
    assert raw.startswith(encrypted_files.MARKER)
    for plain in (PDF[0], PNG[0], b"%PDF", MARKER_TEXT, b"Maria"):
        assert plain not in raw


# --- Settings ----------------------------------------------------------------------------


S3_VARIABLES = (
    "PRIVATE_STORAGE_S3_BUCKET",
    "PRIVATE_STORAGE_S3_ENDPOINT_URL",
    "PRIVATE_STORAGE_S3_REGION",
    "PRIVATE_STORAGE_S3_ACCESS_KEY_ID",
    "PRIVATE_STORAGE_S3_SECRET_ACCESS_KEY",
    "PRIVATE_STORAGE_S3_PREFIX",
    "PRIVATE_STORAGE_S3_ADDRESSING_STYLE",
)


def test_without_a_bucket_private_files_are_in_the_folder(monkeypatch):
    for variable in S3_VARIABLES:
        monkeypatch.delenv(variable, raising=False)

    storages = private_storages(environ.Env(), root="/data/private")

    for alias in ("default", "private"):
        assert storages[alias] == {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": "/data/private", "base_url": None},
        }


def test_with_a_bucket_private_files_are_in_it(monkeypatch):
    monkeypatch.setenv("PRIVATE_STORAGE_S3_BUCKET", "tinig-files")
    monkeypatch.setenv("PRIVATE_STORAGE_S3_ENDPOINT_URL", "https://s3.example.net")
    monkeypatch.setenv("PRIVATE_STORAGE_S3_REGION", "ap-southeast-1")
    monkeypatch.setenv("PRIVATE_STORAGE_S3_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("PRIVATE_STORAGE_S3_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("PRIVATE_STORAGE_S3_PREFIX", "/tinig/")
    monkeypatch.setenv("PRIVATE_STORAGE_S3_ADDRESSING_STYLE", "path")

    storages = private_storages(environ.Env(), root="/data/private")

    assert storages["default"] == storages["private"]
    assert storages["private"]["BACKEND"] == S3_BACKEND
    options = storages["private"]["OPTIONS"]
    assert options["bucket_name"] == "tinig-files"
    assert options["endpoint_url"] == "https://s3.example.net"
    assert options["region_name"] == "ap-southeast-1"
    assert options["access_key"] == "AKIAEXAMPLE" and options["secret_key"] == "secret"
    assert options["location"] == "tinig"
    assert options["addressing_style"] == "path"
    # Never overwrite a file that has the name; no ACL of ours.
    assert options["file_overwrite"] is False
    assert options["default_acl"] is None


def test_empty_optional_variables_leave_boto3_its_defaults(monkeypatch):
    for variable in S3_VARIABLES:
        monkeypatch.setenv(variable, "")
    monkeypatch.setenv("PRIVATE_STORAGE_S3_BUCKET", "tinig-files")

    options = private_storages(environ.Env(), root="/data/private")["private"]["OPTIONS"]

    for name in ("endpoint_url", "region_name", "access_key", "secret_key", "addressing_style"):
        assert options[name] is None, name
    assert options["location"] == ""


# --- Stored in the bucket ------------------------------------------------------------------


@pytest.mark.parametrize("content", [PDF_CONTENT, PNG_CONTENT], ids=["pdf", "png"])
def test_a_file_goes_to_the_bucket_encrypted(private_bucket, content):
    name = private_storage.save("evidence/form.bin", ContentFile(content))

    assert list(private_bucket.objects()) == [name]
    _assert_nothing_readable(private_bucket.raw(name))
    # Its type says nothing of what it holds.
    assert private_bucket.content_type(name) == "application/octet-stream"
    with private_storage.open(name) as handle:
        assert handle.read() == content
    assert private_storage.size(name) == len(content)
    assert private_storage.exists(name)
    assert private_storage.listdir("evidence") == ([], ["form.bin"])


def test_a_taken_name_gets_another_and_nothing_is_overwritten(private_bucket):
    first = private_storage.save("reports/tinig-document.pdf", ContentFile(b"%PDF-1 first"))
    second = private_storage.save("reports/tinig-document.pdf", ContentFile(b"%PDF-1 second"))

    assert first != second
    assert private_storage.open(first).read() == b"%PDF-1 first"
    assert private_storage.open(second).read() == b"%PDF-1 second"


def test_no_path_no_url_no_writing_handle(private_bucket):
    name = private_storage.save("x/file.pdf", ContentFile(PDF_CONTENT))

    with pytest.raises(NotImplementedError):
        private_storage.path(name)
    with pytest.raises(ValueError, match="no URL"):
        private_storage.url(name)
    with pytest.raises(ValueError, match="never opened for writing"):
        private_storage.open(name, "wb")


def test_delete_removes_the_object(private_bucket):
    name = private_storage.save("x/file.pdf", ContentFile(PDF_CONTENT))

    private_storage.delete(name)

    assert private_bucket.objects() == {}
    assert not private_storage.exists(name)
    private_storage.delete(name)  # already gone: not an error


def test_a_closed_file_reopens_from_the_bucket(private_bucket):
    job = ready_job(content=PDF_CONTENT)
    job.file.open("rb")
    assert job.file.read() == PDF_CONTENT
    job.file.close()

    job.file.open("rb")

    assert job.file.read() == PDF_CONTENT


# --- Reports: stored, downloaded, purged ------------------------------------------------------


def test_a_report_is_downloaded_from_the_bucket(private_bucket, admin_user):
    job = ready_job(requested_by=admin_user, content=PDF_CONTENT)
    assert list(private_bucket.objects()) == [job.file.name]

    response = client_for(admin_user).get(reverse("reports:download", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Length"] == str(len(PDF_CONTENT))
    assert b"".join(response.streaming_content) == PDF_CONTENT


def test_an_expired_report_leaves_the_bucket(private_bucket):
    from datetime import timedelta

    from django.utils import timezone

    job = ready_job(finished_at=timezone.now() - timedelta(days=2))
    assert private_bucket.objects()

    assert report_services.report_purge_expired() == 1

    job.refresh_from_db()
    assert job.status == ReportJob.Status.EXPIRED
    assert private_bucket.objects() == {}


@pytest.mark.pdf
def test_a_rendered_report_goes_to_the_bucket(private_bucket, admin_user):
    from tests.reports.factories import ReportJobFactory

    job = ReportJobFactory(
        requested_by=admin_user, params={"date_from": "2026-01-01", "date_to": "2026-01-31"}
    )

    report_services.report_render(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.READY
    _assert_nothing_readable(private_bucket.raw(job.file.name))
    assert job.file.read().startswith(b"%PDF-")


# --- Key rotation over the bucket ---------------------------------------------------------


def test_rotation_re_encrypts_objects_in_place(private_bucket, use_keys):
    use_keys(KEY_A)
    names = [private_storage.save(f"receipts/r{i}.pdf", ContentFile(PDF_CONTENT)) for i in range(3)]
    private_bucket.put_raw("evidence/legacy.pdf", PDF_CONTENT)  # before encryption
    use_keys(KEY_B, KEY_A)

    out = StringIO()
    call_command("rotate_encryption_keys", "--batch-size", "2", stdout=out)

    assert (
        "private files: 4 files, re-encrypted 3, encrypted 1 written before encryption"
    ) in out.getvalue()
    stored = private_bucket.objects()
    # The same names, nothing beside them (no second copy, no temporary file).
    assert sorted(stored) == sorted([*names, "evidence/legacy.pdf"])
    for raw in stored.values():
        _assert_nothing_readable(raw)
        assert encrypted_files.is_current(raw)
    use_keys(KEY_B)  # the old key is gone: everything still reads
    for name in [*names, "evidence/legacy.pdf"]:
        assert private_storage.open(name).read() == PDF_CONTENT
