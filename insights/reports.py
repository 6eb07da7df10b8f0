"""The report kinds of ``insights``, registered with ``reports.registry``:

* ``engagement_brief``: one engagement for one consultant taking part: what,
  when (Asia/Manila), where or the link, what is asked, the privacy plan,
  the support arrangement and the compensation agreed (the version in force).
* ``programme_report``: the programme over a period, the kind of document
  an organisation publishes about its survivor engagement: engagements by
  type and audience, consultants engaged, hours and compensation by
  category, payment timeliness, checklist compliance, feedback scores and
  quotes (only where consent to be quoted by pseudonym stands), and impact
  (contributions, outcomes, adoption by month, partners' answers, works
  published; ``impact.selectors.programme_impact``), and survivor
  leadership (the network's leaders, advisory reviews, learning events and
  peer circles, network-led engagements and works, works co-authored by
  leaders; ``network.selectors.leadership.programme_leadership``), with
  charts.

Neither shows a legal name: their contexts hold pseudonyms and aggregates
only (``insights.selectors`` never loads the encrypted identity fields).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from consultants import selectors as consultant_selectors
from core.search import SearchChoiceField, SearchSource, register_source
from core.templatetags.money import peso
from engagements import selectors as engagement_selectors
from impact.selectors import ProgrammeImpact
from insights import access, selectors
from insights.charts import bar_chart
from network.models import LearningEvent
from network.selectors.leadership import ProgrammeLeadership
from reports.registry import ReportForm, register_report

if TYPE_CHECKING:
    from consultants.models import Consultant
    from engagements.models import Engagement, Participation

MAX_DAYS = 366


class DateInput(forms.DateInput):
    input_type = "date"


def engagement_label(engagement: Engagement) -> str:
    when = timezone.localtime(engagement.start, selectors.MANILA).date().isoformat()
    return f"{engagement.title} ({when})"


def brief_consultants(user) -> QuerySet[Consultant]:
    """Consultants invited to or booked on an engagement ``user`` may brief on."""
    return engagement_selectors.consultants_invited_or_booked(
        engagements=access.briefable_engagements(user)
    )


# Searched, never listed (core.search): 100,000 engagements are no <select>.
register_source(
    SearchSource(
        name="brief_engagement",
        can_use=access.can_request_engagement_brief,
        queryset=access.briefable_engagements,
        search=engagement_selectors.engagement_search,
        label=engagement_label,
        hint=_("Search by title, or by date: 2026-03-14, or a month: 2026-03."),
    )
)
register_source(
    SearchSource(
        name="brief_consultant",
        can_use=access.can_request_engagement_brief,
        queryset=brief_consultants,
        search=consultant_selectors.consultant_search,
        label=lambda consultant: consultant.pseudonym,
        hint=_("Search by pseudonym."),
    )
)


class EngagementBriefForm(ReportForm):
    # Both bound per person (core.search.SearchChoiceField.bind).
    engagement = SearchChoiceField(source="brief_engagement", label=_("Engagement"))
    consultant = SearchChoiceField(
        source="brief_consultant",
        label=_("Consultant"),
        help_text=_("Someone invited to or taking part in the engagement."),
    )

    def clean(self):
        cleaned = super().clean()
        engagement, consultant = cleaned.get("engagement"), cleaned.get("consultant")
        if engagement is not None and consultant is not None:
            participation = participation_for(engagement=engagement, consultant_id=consultant.pk)
            if participation is None:
                self.add_error(
                    "consultant", _("This consultant is not taking part in that engagement.")
                )
        return cleaned


def participation_for(*, engagement: Engagement, consultant_id: object) -> Participation | None:
    return selectors.brief_participations([engagement]).filter(consultant_id=consultant_id).first()


class ProgrammeReportForm(ReportForm):
    date_from = forms.DateField(label=_("From"), widget=DateInput)
    date_to = forms.DateField(label=_("To (inclusive)"), widget=DateInput)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
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


@register_report(
    kind="engagement_brief",
    label=_("Engagement brief"),
    form_class=EngagementBriefForm,
    can_request=access.can_request_engagement_brief,
    description=_(
        "For one consultant: what, when and where, what is asked, the privacy plan, "
        "support and the compensation agreed."
    ),
)
def build_engagement_brief(job, progress):
    engagement = engagement_selectors.engagement_get(pk=job.params["engagement"])
    if not access.can_brief(job.requested_by, engagement):
        # Checked when requested and before building; a right lost in between stops here.
        raise PermissionError("brief not allowed")
    participation = participation_for(engagement=engagement, consultant_id=job.params["consultant"])
    if participation is None:
        raise PermissionError("not a participant")
    brief = selectors.brief_for(participation=participation)
    progress(10, gettext_noop("Records loaded"))
    return "insights/pdf/engagement_brief.html", {
        "document_title": _("Engagement brief"),
        "brief": brief,
        "engagement": brief.engagement,
        "plan": brief.plan,
        "agreement": brief.agreement,
    }


@register_report(
    kind="programme_report",
    label=_("Programme report"),
    form_class=ProgrammeReportForm,
    can_request=access.can_request_programme_report,
    description=_(
        "The programme over a period: engagements, consultants, hours, compensation, "
        "payment timeliness, checklists, feedback, impact and survivor leadership, "
        "with charts."
    ),
)
def build_programme_report(job, progress):
    summary = selectors.programme_summary(
        date_from=date.fromisoformat(job.params["date_from"]),
        date_to=date.fromisoformat(job.params["date_to"]),
        user=job.requested_by,
    )
    progress(10, gettext_noop("Records loaded"))
    return "insights/pdf/programme_report.html", {
        "document_title": _("Programme report"),
        "summary": summary,
        "charts": _charts(summary),
        **_impact_rows(summary.impact),
        **_leadership_rows(summary.leadership),
    }


def _impact_rows(impact: ProgrammeImpact | None) -> dict:
    """Impact's counts as labelled rows, in the order of their choices."""
    if impact is None:
        return {}
    return {
        "impact_kinds": [selectors.Row(*row) for row in impact.kind_rows()],
        "impact_statuses": [selectors.Row(*row) for row in impact.status_rows()],
        "impact_useful": [selectors.Row(*row) for row in impact.useful_rows()],
    }


def _leadership_rows(leadership: ProgrammeLeadership | None) -> dict:
    """The leadership section's counts as labelled rows."""
    if leadership is None:
        return {}
    kinds = dict(LearningEvent.Kind.choices)
    return {
        "leadership_reviews": [selectors.Row(*row) for row in leadership.recommendation_rows()],
        "leadership_learning_kinds": [
            selectors.Row(str(kinds.get(kind, kind)), n)
            for kind, n in leadership.learning.by_kind.items()
        ],
    }


def _month_label(month: date) -> str:
    """A chart's month as its table writes it, short ("Oct 2026", "Okt
    2026"): in the reader's language, never ISO "2026-10"."""
    return date_format(month, "M Y")


def _charts(summary: selectors.Programme) -> dict:
    impact = summary.impact
    return {
        "adoption": bar_chart(
            _("Adoption rate by month (%)"),
            [
                (
                    _month_label(month.month),
                    month.percent or 0,
                    "—" if month.percent is None else f"{month.percent}%",
                )
                for month in (impact.months if impact else [])
            ],
        ),
        "by_type": bar_chart(
            _("Engagements by type"),
            [(row.label, row.value, str(row.value)) for row in summary.by_type],
        ),
        "earned": bar_chart(
            _("Compensation by category (PHP)"),
            [(row.label, row.value, peso(row.value)) for row in summary.earned_by_kind],
        ),
        "on_time": bar_chart(
            _("Payments on time, by month (%)"),
            [
                (_month_label(month.month), month.percent or 0, f"{month.percent or 0}%")
                for month in summary.months
            ],
        ),
    }
