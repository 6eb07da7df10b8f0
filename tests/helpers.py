"""Helpers that tests of several apps import: a logged-in client, the staff
roles, where artefacts go, reading PDFs back, and the compensation
builders (a past engagement, approved time)."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from compensation import services as compensation_services
from engagements.models import Engagement
from tests.engagements.factories import EngagementFactory

# Anything shaped like an e-mail address (PDFs and logs must hold none).
EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

STAFF_ROLES = [
    Role.PROGRAMME_STAFF,
    Role.PROGRAMME_MANAGER,
    Role.FINANCE_OFFICER,
    Role.WELLBEING_LEAD,
    Role.ADMINISTRATOR,
]


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --- PDFs ----------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_page_count(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def pdf_metadata(content: bytes) -> dict:
    from pypdf import PdfReader

    return dict(PdfReader(io.BytesIO(content)).metadata or {})


# --- Compensation ----------------------------------------------------------------


def past_engagement(owner, *, days_ago=10, **kwargs):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=days_ago)
    return EngagementFactory(
        owner=owner,
        status=kwargs.pop("status", Engagement.Status.COMPLETED),
        start=start,
        end=start + datetime.timedelta(hours=3),
        **kwargs,
    )


def approved_time(participation, *, by, approver, hours="2.00", day=None, kind="engagement"):
    day = day or timezone.localtime(participation.engagement.start).date()
    entry = compensation_services.time_entry_add(
        participation=participation, by=by, on_behalf=True, kind=kind, date=day, hours=hours
    )
    return compensation_services.time_entry_approve(entry=entry, by=approver)
