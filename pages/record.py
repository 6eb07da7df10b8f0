"""The consultant's record as a PDF, through the one PDF path (``reports``).

Kind ``consultant_record``: the consultant requests it for herself, and
only for herself; nobody else can, not even an administrator (who has the
JSON export in the admin). No parameters: the record is always the
requester's own. It is written in her preferred language when Tinig
speaks it (else the default), named ``tinig-record-YYYY-MM-DD.pdf``, and
its header says "Tinig" and "Your record", nothing else. Building it is
audited like the JSON download (``consultants.services.consultant_record``),
in the worker, just before the sections are read.

It lives here, at the top, because it needs both ``consultants`` (the
record's registry) and ``reports``, which are siblings.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.language import language_of
from consultants import access, services
from reports.registry import ReportForm, register_report

# Shown in her own access log, in her language (core.audit.reason_text).
REASON = gettext_noop("Data-subject access: complete record prepared as a PDF")


class RecordForm(ReportForm):
    """Nothing to choose: the record is the requester's own."""


def can_request_record(user) -> bool:
    consultant = access.consultant_of(user)
    return consultant is not None and access.can_export(user, consultant)


def record_language(user) -> str:
    """Her own language (``accounts.language``), whoever's page asked."""
    return language_of(user)


@register_report(
    kind="consultant_record",
    label=_("Your record"),
    form_class=RecordForm,
    can_request=can_request_record,
    description=_("Everything Tinig keeps about you, as a PDF."),
    language_for=record_language,
    file_stem="tinig-record",
)
def build_record(job, progress):
    user = job.requested_by
    consultant = access.consultant_of(user)
    if consultant is None:
        raise PermissionError("record not allowed")
    sections = services.consultant_record(consultant=consultant, by=user, reason=REASON)
    progress(10, gettext_noop("Records loaded"))
    return "pages/pdf/record.html", {"document_title": _("Your record"), "sections": sections}
