"""The engagement brief: rendered through the real report path, read back
with pypdf. What, when (Manila), where, what is asked, privacy plan,
support and the agreement in force; pseudonym only; only for engagements
the requester runs and consultants taking part in them."""

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from compensation import services as compensation_services
from engagements.models import PrivacyPlan
from insights.reports import EngagementBriefForm
from reports import services as report_services
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.insights.conftest import render

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(engagement, owner):
    return PrivacyPlan.objects.create(
        engagement=engagement,
        photo=PrivacyPlan.Recording.NOT_ALLOWED,
        video=PrivacyPlan.Recording.PROTECTED,
        seating_and_entry="Side entrance, seat near the door.",
        support_person_present="The wellbeing lead attends.",
        updated_by=owner,
    )


def _params(participation):
    return {"engagement": participation.engagement_id, "consultant": participation.consultant_id}


@pytest.mark.pdf
def test_brief_renders_what_when_where_privacy_support_and_agreement(
    agreement, plan, owner, settings
):
    participation = agreement.participation
    engagement = participation.engagement
    engagement.venue = "Meeting room B"
    engagement.mode = "in_person"
    engagement.save()
    _, text = render(
        kind="engagement_brief",
        user=owner,
        params=_params(participation),
        artifact="insights-engagement-brief.pdf",
    )
    consultant = participation.consultant
    manila = engagement.start.astimezone(ZoneInfo("Asia/Manila"))
    assert "Engagement brief" in text and "Tinig" in text
    assert "For: Tala" in text
    assert engagement.title in text
    assert engagement.expected_contribution in text
    assert manila.strftime("%H:%M") in text and "Asia/Manila" in text
    assert "Meeting room B" in text
    assert "Side entrance, seat near the door." in text
    assert "The wellbeing lead attends." in text
    assert "Allowed, face or voice protected" in text  # video
    assert f"PHP {agreement.rate_amount}" in text
    assert f"Agreement version {agreement.version}" in text
    for allowance in agreement.allowances.all():
        assert f"PHP {allowance.amount}" in text
    # Pseudonym only: nothing of the encrypted identity reaches the page.
    for secret in (
        consultant.legal_name,
        consultant.email,
        consultant.phone,
        consultant.support_person_name,
        consultant.support_person_contact,
        consultant.message_name,
    ):
        assert secret not in text


@pytest.mark.pdf
def test_an_unacknowledged_change_is_not_the_agreement_in_force(agreement, owner, manager_user):
    participation = agreement.participation
    compensation_services.agreement_propose(
        participation=participation,
        by=owner,
        terms={"rate_amount": Decimal("9999.00")},
        change_note="More",
    )
    _, text = render(kind="engagement_brief", user=manager_user, params=_params(participation))
    assert "9999.00" not in text
    assert f"PHP {agreement.rate_amount}" in text


@pytest.mark.pdf
def test_an_invited_consultant_sees_the_proposal_as_a_proposal(participation, owner, rates):
    participation.status = "invited"
    participation.save()
    proposal = compensation_services.agreement_propose(participation=participation, by=owner)
    _, text = render(kind="engagement_brief", user=owner, params=_params(participation))
    assert f"PHP {proposal.rate_amount}" in text
    assert "Proposal, version 1: it is agreed when you accept the invitation." in text


@pytest.mark.pdf
def test_without_plan_or_agreement_the_brief_says_so(participation, owner):
    _, text = render(kind="engagement_brief", user=owner, params=_params(participation))
    assert "No compensation has been agreed yet." in text
    assert "No recording of any kind and pseudonyms only" in text


def test_choices_are_only_engagements_the_requester_runs(
    participation, owner, make_user, other_consultant
):
    from accounts.roles import Role

    colleague = make_user(Role.PROGRAMME_STAFF)
    theirs = EngagementFactory(owner=colleague)
    form = EngagementBriefForm(user=owner)
    assert list(form.fields["engagement"].queryset) == [participation.engagement]
    assert list(form.fields["consultant"].queryset) == [participation.consultant]
    assert theirs not in form.fields["engagement"].queryset
    # The colleague neither sees the engagement nor its consultant.
    other = EngagementBriefForm(user=colleague)
    assert participation.engagement not in other.fields["engagement"].queryset
    assert participation.consultant not in other.fields["consultant"].queryset


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"engagement": "x", "consultant": "y"},
        {"engagement": -1, "consultant": -1},
        {"engagement": "1 OR 1=1", "consultant": "1"},
    ],
)
def test_hostile_params_are_refused(participation, owner, params):
    with pytest.raises(ValidationError):
        report_services.report_request(user=owner, kind="engagement_brief", params=params)


def test_a_consultant_not_taking_part_is_refused(participation, owner, other_consultant, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Bituin takes part in another engagement Tala's owner also runs.
    second = EngagementFactory(owner=owner, start=participation.engagement.start.replace(year=2030))
    ParticipationFactory(engagement=second, consultant=other_consultant, status="accepted")
    params = {"engagement": participation.engagement_id, "consultant": other_consultant.pk}
    with pytest.raises(ValidationError) as refused:
        report_services.report_request(user=owner, kind="engagement_brief", params=params)
    assert "not taking part" in str(refused.value)


def test_someone_elses_engagement_is_refused(participation, make_user):
    from accounts.roles import Role

    colleague = make_user(Role.PROGRAMME_STAFF)
    with pytest.raises(ValidationError):
        report_services.report_request(
            user=colleague, kind="engagement_brief", params=_params(participation)
        )
