"""The admin shows report jobs read-only and never their file."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.helpers import client_for
from tests.reports.factories import ready_job

pytestmark = pytest.mark.django_db


def test_read_only_and_no_file_link(admin_user):
    job = ready_job(requested_by=admin_user)
    client = client_for(admin_user)

    listing = client.get(reverse("admin:reports_reportjob_changelist"))
    assert listing.status_code == 200
    assert job.reference.encode() in listing.content

    page = client.get(reverse("admin:reports_reportjob_change", args=[job.pk]))
    assert page.status_code == 200
    assert job.file.name.encode() not in page.content
    assert job.download_name.encode() not in page.content
    assert b'type="submit" value="Save"' not in page.content

    assert client.get(reverse("admin:reports_reportjob_add")).status_code == 403
    assert client.get(reverse("admin:reports_reportjob_delete", args=[job.pk])).status_code == 403
