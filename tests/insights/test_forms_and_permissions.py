"""Who may request each kind, for every persona (registry, service and the
/reports/ request page), and the programme report's period rules."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from insights import selectors
from insights.reports import ProgrammeReportForm
from reports import services as report_services
from reports.models import ReportJob
from reports.registry import report_kinds_for
from tests.helpers import client_for
from tests.insights.conftest import ROLES


def _may_be_quoted(*consultants, by, withdrawn=()):
    """Their consent to be quoted by pseudonym: the report names only them."""
    from consultants import services as consultant_services
    from consultants.models import ConsentScope
    from tests.consultants.factories import published_text

    published_text(ConsentScope.QUOTING)
    for consultant in consultants:
        consultant_services.consent_grant(consultant=consultant, scope=ConsentScope.QUOTING, by=by)
    for consultant in withdrawn:
        consultant_services.consent_withdraw(
            consultant=consultant, scope=ConsentScope.QUOTING, by=by
        )


pytestmark = pytest.mark.django_db

PROGRAMME = "programme_report"
BRIEF = "engagement_brief"
MAY_REQUEST = {
    PROGRAMME: {"programme_manager", "finance_officer", "administrator"},
    BRIEF: {"programme_staff", "programme_manager", "administrator"},
}
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-12-31"}


@pytest.mark.parametrize("persona", ROLES, indirect=True)
def test_who_may_request_each_kind(persona, request, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    name = request.node.callspec.params["persona"]
    user = persona or AnonymousUser()
    kinds = {entry.kind for entry in report_kinds_for(user)}
    for kind, allowed in MAY_REQUEST.items():
        assert (kind in kinds) == (name in allowed), (kind, name)

    # The service refuses the others before looking at the parameters.
    if name in MAY_REQUEST[PROGRAMME]:
        job = report_services.report_request(user=user, kind=PROGRAMME, params=PERIOD)
        assert job.params == PERIOD
    else:
        with pytest.raises(PermissionDenied):
            report_services.report_request(user=user, kind=PROGRAMME, params=PERIOD)
    if name not in MAY_REQUEST[BRIEF]:
        with pytest.raises(PermissionDenied):
            report_services.report_request(user=user, kind=BRIEF, params={})


@pytest.mark.parametrize("persona", ROLES, indirect=True)
def test_the_request_page_answers_each_persona(persona, request, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    name = request.node.callspec.params["persona"]
    client = client_for(persona)
    url = reverse("reports:request", args=[PROGRAMME])
    response = client.post(url, {f"{PROGRAMME}-{k}": v for k, v in PERIOD.items()})
    if name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif name in MAY_REQUEST[PROGRAMME]:
        job = ReportJob.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:detail", args=[job.pk])
    else:
        assert response.status_code == 403
    if name not in MAY_REQUEST[PROGRAMME]:
        assert not ReportJob.objects.exists()

    listing = client.get(reverse("reports:list"))
    if name in MAY_REQUEST[PROGRAMME]:
        assert b"Programme report" in listing.content
    elif listing.status_code == 200:
        assert b"Programme report" not in listing.content


@pytest.mark.parametrize(
    ("period", "field", "message"),
    [
        (
            {"date_from": "2016-01-01", "date_to": "2026-01-01"},
            "date_to",
            "The period can be at most 366 days long.",
        ),
        (
            {"date_from": "2026-01-31", "date_to": "2026-01-01"},
            "date_to",
            "The end date must be on or after the start date.",
        ),
        ({"date_from": "", "date_to": ""}, "date_from", "This field is required."),
        ({"date_from": "yesterday", "date_to": "2026-01-01"}, "date_from", "Enter a valid date."),
        ({"date_from": "2026-01-01'; --", "date_to": "x"}, "date_to", "Enter a valid date."),
    ],
)
def test_bad_periods_are_refused_with_clear_errors(manager_user, period, field, message):
    form = ProgrammeReportForm(period, user=manager_user)
    assert not form.is_valid()
    assert message in form.errors[field]
    with pytest.raises(ValidationError):
        report_services.report_request(user=manager_user, kind=PROGRAMME, params=period)
    assert not ReportJob.objects.exists()


def test_the_longest_period_is_accepted(manager_user):
    form = ProgrammeReportForm(
        {"date_from": "2024-01-01", "date_to": "2024-12-31"}, user=manager_user
    )
    assert form.is_valid(), form.errors  # 366 days: a leap year


def test_bad_periods_show_errors_on_the_page(manager_user):
    url = reverse("reports:request", args=[PROGRAMME])
    response = client_for(manager_user).post(
        url, {f"{PROGRAMME}-date_from": "2016-01-01", f"{PROGRAMME}-date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert b"The period can be at most 366 days long." in response.content
    assert not ReportJob.objects.exists()


def test_the_summary_takes_a_fixed_number_of_queries(
    agreement, owner, other_consultant, manager_user, django_assert_num_queries
):
    import datetime

    from tests.engagements.factories import ParticipationFactory
    from tests.helpers import past_engagement

    today = datetime.date.today()
    period = {"date_from": today - datetime.timedelta(days=200), "date_to": today}
    _may_be_quoted(agreement.participation.consultant, other_consultant, by=manager_user)
    with django_assert_num_queries(28):  # 12, impact's 7 and leadership's 9
        summary = selectors.programme_summary(**period, user=manager_user)
    assert summary.engagements == 1
    assert [row.label for row in summary.consultants] == ["Tala"]

    for days_ago in (30, 40, 50):
        ParticipationFactory(
            engagement=past_engagement(owner, days_ago=days_ago, type="training"),
            consultant=other_consultant,
            status="attended",
        )
    with django_assert_num_queries(28):  # 12, impact's 7 and leadership's 9
        summary = selectors.programme_summary(**period, user=manager_user)
    assert summary.engagements == 4
    assert [(row.label, row.value) for row in summary.consultants] == [("Bituin", 3), ("Tala", 1)]
    assert summary.consultants_count == 2


def test_the_report_names_the_most_engaged_and_counts_the_rest(
    owner, manager_user, make_consultant, monkeypatch
):
    import datetime

    from tests.engagements.factories import ParticipationFactory
    from tests.helpers import past_engagement

    monkeypatch.setattr(selectors, "MAX_CONSULTANTS_NAMED", 2)
    engagements = [past_engagement(owner, days_ago=days) for days in (20, 30, 40)]
    people = {}
    for name, count in (
        ("Amihan", 1),
        ("Bayani", 3),
        ("Dalisay", 2),
        ("Ligaya", 1),
        ("Malaya", 3),
        ("Tahimik", 3),
    ):
        people[name] = consultant = make_consultant(pseudonym=name)
        for engagement in engagements[:count]:
            ParticipationFactory(engagement=engagement, consultant=consultant, status="attended")
    # Malaya withdrew her consent to be quoted; Tahimik never gave it: the
    # most engaged, counted, never named.
    _may_be_quoted(
        *(people[name] for name in ("Amihan", "Bayani", "Dalisay", "Ligaya", "Malaya")),
        by=manager_user,
        withdrawn=[people["Malaya"]],
    )
    today = datetime.date.today()
    summary = selectors.programme_summary(
        date_from=today - datetime.timedelta(days=100), date_to=today, user=manager_user
    )
    assert [(row.label, row.value) for row in summary.consultants] == [
        ("Bayani", 3),
        ("Dalisay", 2),
    ]
    assert (summary.consultants_count, summary.consultants_more) == (6, 4)


def test_charts_scale_to_the_largest_value_and_skip_empty_data():
    from decimal import Decimal

    from insights.charts import bar_chart

    chart = bar_chart("T", [("a", 2, "2"), ("b", 4, "4"), ("c", Decimal("-1"), "-1")])
    widths = [Decimal(bar.width) for bar in chart.bars]
    assert widths[1] == 2 * widths[0] and widths[2] == 0
    assert bar_chart("T", []) is None
    assert bar_chart("T", [("a", 0, "0")]) is None


def test_postgresql_jit_is_off_for_every_connection():
    """PostgreSQL's JIT compiled the year's aggregates for longer than they
    ran (1.6 s for 0.3 s at 200,000 participations): settings turn it off
    for every connection (OPTIONS "-c jit=off")."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
