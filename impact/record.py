"""The impact app's section of a consultant's record (``consultants.record``):
the contributions she is credited on and what became of each (the status
and what the team wrote for the consultants; never the team's own note, and
never the other consultants who gave it). Two queries."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultants.models import Consultant
from consultants.record import Entry, RecordSection, Row, choice, register_record_section
from impact.models import Contribution, OutcomeStatus, WorkCredit
from impact.selectors import consultant_contributions, consultant_credits


def build_contributions(consultant: Consultant) -> RecordSection:
    rows = []
    for contribution in consultant_contributions(consultant):
        rows.append(
            Row(
                title=contribution.get_kind_display(),
                entries=[
                    Entry("engagement", _("Engagement"), contribution.engagement.title),
                    choice("kind", _("Kind"), contribution.kind, Contribution.Kind.choices),
                    Entry("summary", _("What you proposed"), contribution.summary),
                    choice("outcome", _("Outcome"), contribution.status, OutcomeStatus.choices),
                    Entry(
                        "outcomes",
                        _("What became of it"),
                        [
                            Row(
                                title=outcome.get_status_display(),
                                entries=[
                                    choice(
                                        "status",
                                        _("Outcome"),
                                        outcome.status,
                                        OutcomeStatus.choices,
                                    ),
                                    Entry("as_of", _("As of"), outcome.decided_on),
                                    Entry("note", _("What the team told you"), outcome.shared_note),
                                ],
                            )
                            for outcome in contribution.history
                        ],
                    ),
                ],
            )
        )
    return RecordSection(rows=rows, empty=_("No contributions recorded for you yet."))


# Imported by ImpactConfig.ready().
register_record_section(
    "contributions",
    title=gettext_lazy("What your voice changed"),
    order=250,
    build=build_contributions,
)


def build_works(consultant: Consultant) -> RecordSection:
    return RecordSection(
        rows=[
            Row(
                title=credit.work.title,
                entries=[
                    Entry("title", _("Title"), credit.work.title),
                    choice("kind", _("Kind"), credit.work.kind, credit.work.Kind.choices),
                    Entry("published_on", _("Published on"), credit.work.published_on),
                    Entry("partners", _("Partners"), credit.work.partners),
                    Entry("link", _("Link"), credit.work.link),
                    choice("credit_as", _("Credit"), credit.credit_as, WorkCredit.CreditAs.choices),
                    Entry("chosen_name", _("The name to credit"), credit.chosen_name),
                ],
            )
            for credit in consultant_credits(consultant)
        ],
        empty=_("No works name you yet."),
    )


register_record_section(
    "works",
    title=gettext_lazy("Works you helped make"),
    order=260,
    build=build_works,
)
