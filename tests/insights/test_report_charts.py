"""The programme report's charts name months as its tables do, in the
reader's language ("Oct 2026", "Okt 2026"), never as ISO "2026-10"."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from compensation.selectors import MonthShare
from impact.selectors import AdoptionMonth, ProgrammeImpact
from insights import reports, selectors


def _summary() -> selectors.Programme:
    summary = selectors.Programme(
        date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2027, 1, 31)
    )
    summary.months = [
        MonthShare(
            month=datetime.date(2026, 10, 1),
            payments=4,
            on_time=3,
            total=Decimal("100.00"),
            average_days=None,
            longest_days=None,
        ),
        MonthShare(
            month=datetime.date(2027, 1, 1),
            payments=2,
            on_time=2,
            total=Decimal("50.00"),
            average_days=None,
            longest_days=None,
        ),
    ]
    return summary


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", ["Oct 2026", "Jan 2027"]), ("fil", ["Okt 2026", "Ene 2027"])],
)
def test_the_on_time_chart_names_months_in_the_readers_language(language, expected):
    with translation.override(language):
        chart = reports._charts(_summary())["on_time"]
    assert [bar.label for bar in chart.bars] == expected
    assert [bar.shown for bar in chart.bars] == ["75.0%", "100.0%"]


def test_the_adoption_chart_names_months_the_same_way():
    fields = {name: 0 for name in ProgrammeImpact.__dataclass_fields__}
    fields["months"] = [
        AdoptionMonth(month=datetime.date(2026, 11, 1), contributions=3, decided=2, taken_up=1)
    ]
    impact = ProgrammeImpact(**fields)
    summary = _summary()
    summary.impact = impact
    with translation.override("en"):
        chart = reports._charts(summary)["adoption"]
    assert [(bar.label, bar.shown) for bar in chart.bars] == [("Nov 2026", "50.0%")]
