"""The consultant statement: a PDF of one consultant's compensation for a
period, through the reports path (``reports.registry``; rendered by the
worker, kept privately, downloadable by its requester only).

Requested by the consultant for themselves (portal) and by finance for any
consultant. Pseudonym only: no legal name, contact or account detail is in
its context, so none can reach the page. Engagement titles, lines, totals
and payments; every total is a PostgreSQL sum (``selectors.statement_for``).
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from compensation import access, selectors
from consultants import selectors as consultant_selectors
from consultants.models import Consultant
from core.search import SearchChoiceField, SearchSource, register_source
from reports.registry import ReportForm, register_report

MAX_DAYS = 366


class DateInput(forms.DateInput):
    input_type = "date"


# Finance chooses among every consultant by searching (core.search), never
# from a list of all of them; a consultant's own statement has no choice.
register_source(
    SearchSource(
        name="statement_consultant",
        can_use=access.can_request_statement,
        queryset=access.statement_consultants_for,
        search=consultant_selectors.consultant_search,
        label=lambda consultant: consultant.pseudonym,
        hint=_("Search by pseudonym."),
    )
)


class StatementForm(ReportForm):
    consultant = SearchChoiceField(
        source="statement_consultant",
        label=_("Consultant"),
        required=False,
        help_text=_("Empty: your own statement."),
    )
    date_from = forms.DateField(label=_("From"), widget=DateInput)
    date_to = forms.DateField(label=_("To (inclusive)"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = selectors.manila_today().isoformat()
        self.fields["date_from"].widget.attrs["max"] = today
        own = access.consultant_of(self.user)
        if own is not None and not access.is_finance(self.user):
            # A consultant's statement is their own: nothing to choose.
            self.fields["consultant"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        consultant = cleaned.get("consultant")
        if consultant is None and not self.errors.get("consultant"):
            consultant = access.consultant_of(self.user)
            if consultant is None:
                self.add_error("consultant", _("Choose a consultant."))
            cleaned["consultant"] = consultant
        if consultant is not None and not access.can_request_statement_for(self.user, consultant):
            self.add_error("consultant", _("Choose a consultant."))
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        today = selectors.manila_today()
        if date_from and date_from > today:
            self.add_error("date_from", _("The period cannot start in the future."))
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


def can_request_statement(user) -> bool:
    return access.can_request_statement(user)


@register_report(
    kind="consultant_statement",
    label=_("Statement"),
    form_class=StatementForm,
    can_request=can_request_statement,
    description=_("Work, allowances and payments of one consultant for a period."),
)
def build_statement(job, progress):
    consultant = Consultant.objects.get(pk=job.params["consultant"])
    if not access.can_request_statement_for(job.requested_by, consultant):
        # The form checked it when requested and again before building;
        # a grant lost in between still stops here.
        raise PermissionError("statement not allowed")
    statement = selectors.statement_for(
        consultant=consultant,
        date_from=date.fromisoformat(job.params["date_from"]),
        date_to=date.fromisoformat(job.params["date_to"]),
    )
    progress(10, gettext_noop("Records loaded"))
    return "compensation/pdf/statement.html", {
        "document_title": _("Statement"),
        "pseudonym": consultant.pseudonym,
        "statement": statement,
        "kind_rows": [
            (label, statement.totals_by_kind[kind])
            for kind, label in statement.kind_labels.items()
            if statement.totals_by_kind[kind]
        ],
        "months": selectors.statement_months(
            consultant=consultant,
            date_from=date.fromisoformat(job.params["date_from"]),
            date_to=date.fromisoformat(job.params["date_to"]),
        ),
        "target_days": selectors.target_days(),
        "today": timezone.localdate(),
    }
