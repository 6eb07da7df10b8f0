"""The sensitive access log: every reveal of protected data in a period.

Administrators only. One row per ACCESS entry of the audit trail
(core.audit.record_access): when (Asia/Manila), who (the person's display
name, never an e-mail address), which record (its pseudonym), which fields,
the reason given, and the address it came from. Each reveal is laid out
as a block, not a table row (WeasyPrint lays a block out about five times
faster); the totals are PostgreSQL's, for the whole period asked, and a
period with more than ``MAX_ROWS`` reveals is cut to whole days, which
the document says (with the day to ask from for the rest).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from core.audit import reason_text
from reports.access import can_request_access_log
from reports.registry import ReportForm, register_report
from reports.selectors import access_log_entries, access_log_totals

TIME_ZONE = ZoneInfo("Asia/Manila")
MAX_DAYS = 366
# One document lays out at most this many reveals (blocks, about a
# millisecond each); a busier period is cut to whole days and says so.
MAX_ROWS = 10_000


class DateInput(forms.DateInput):
    input_type = "date"


class AccessLogForm(ReportForm):
    date_from = forms.DateField(label=_("From"), widget=DateInput)
    date_to = forms.DateField(label=_("To (inclusive)"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = today_in_manila().isoformat()
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["max"] = today

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        today = today_in_manila()
        if date_from and date_from > today:
            self.add_error("date_from", _("The period cannot start in the future."))
        if date_to and date_to > today:
            self.add_error("date_to", _("The period cannot end in the future."))
        if date_from and date_to:
            if date_from > date_to:
                self.add_error("date_to", _("The end date must be on or after the start date."))
            elif (date_to - date_from).days + 1 > MAX_DAYS:
                self.add_error(
                    "date_to",
                    ngettext(
                        "The period can be at most %(days)s day long.",
                        "The period can be at most %(days)s days long.",
                        MAX_DAYS,
                    )
                    % {"days": MAX_DAYS},
                )
        return cleaned


def today_in_manila() -> date:
    return timezone.localdate(timezone=TIME_ZONE)


@dataclass(frozen=True)
class AccessRow:
    when: datetime
    actor_id: int | None
    who: str
    record: str
    record_type: str
    fields: list[str]
    reason: str
    address: str


@dataclass(frozen=True)
class Cut:
    """The period asked held more reveals than one document holds: the log
    shows whole days from the start up to ``through`` (or, when the first
    day alone is too many, that day's first ``MAX_ROWS`` reveals, up to
    ``moment``); the rest can be asked for from ``resume_on``."""

    through: date
    resume_on: date
    moment: datetime | None = None


@register_report(
    kind="access_log",
    label=_("Sensitive access log"),
    form_class=AccessLogForm,
    can_request=can_request_access_log,
    description=_(
        "Every time protected data was revealed in a period: when, who, which record, "
        "which fields and why."
    ),
)
def build_access_log(job, progress):
    """Two queries: the period's totals (reveals, people, records) as one
    aggregate, and at most ``MAX_ROWS + 1`` rows. Beyond
    ``MAX_ROWS`` the log is cut to whole days and says so (``Cut``)."""
    date_from = date.fromisoformat(job.params["date_from"])
    date_to = date.fromisoformat(job.params["date_to"])
    start = datetime.combine(date_from, time.min, tzinfo=TIME_ZONE)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=TIME_ZONE)

    totals = access_log_totals(start=start, end=end)
    entries = access_log_entries(start=start, end=end)[: MAX_ROWS + 1]
    rows = [_row(entry) for entry in entries]
    cut = None
    if len(rows) > MAX_ROWS:
        rows, cut = _cut(rows)
    progress(10, gettext_noop("Records loaded"))
    return "reports/pdf/access_log.html", {
        "document_title": _("Sensitive access log"),
        "date_from": date_from,
        "date_to": date_to,
        "rows": rows,
        "shown": len(rows),
        "total": totals["reveals"],
        "people": totals["people"],
        "records": totals["records"],
        "cut": cut,
        "max_rows": MAX_ROWS,
    }


def _cut(rows: list[AccessRow]) -> tuple[list[AccessRow], Cut]:
    """``rows`` (``MAX_ROWS + 1`` of them, oldest first) cut to whole days."""
    first_left_out = timezone.localtime(rows[MAX_ROWS].when, TIME_ZONE).date()
    kept = [row for row in rows if timezone.localtime(row.when, TIME_ZONE).date() < first_left_out]
    if kept:
        through = first_left_out - timedelta(days=1)
        return kept, Cut(through=through, resume_on=first_left_out)
    # The first day alone holds more than a document does.
    kept = rows[:MAX_ROWS]
    return kept, Cut(
        through=first_left_out,
        resume_on=first_left_out + timedelta(days=1),
        moment=kept[-1].when,
    )


def _row(entry) -> AccessRow:
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    model = entry.content_type.model_class()
    return AccessRow(
        when=entry.timestamp,
        actor_id=entry.actor_id,
        who=str(entry.actor) if entry.actor_id else str(_("Removed account")),
        record=entry.object_repr,
        record_type=str(model._meta.verbose_name) if model else entry.content_type.model,
        fields=[_field_label(model, name) for name in data.get("fields") or []],
        reason=reason_text(str(data.get("reason") or "")),
        address=entry.remote_addr or "",
    )


def _field_label(model, name: str) -> str:
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            pass
    return str(name)
