"""Advisory reviews (network.services.reviews): who may give one, when,
what it pays (once), revisions, and hostile input."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from compensation.models import PaymentLine
from core.audit import LogEntry
from engagements import workflow
from network.models import AdvisoryReview
from network.services.leaders import leader_end
from network.services.reviews import review_give
from tests.consultants.factories import ConsultantFactory
from tests.fixtures import make_survivor_leader
from tests.network.lead_world import FEE, make_leader

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _give(engagement, user, **kwargs):
    values = {"recommendation": "with_changes", "changes": "Blur faces.", "notes": ""}
    return review_give(engagement=engagement, by=user, **{**values, **kwargs})


def test_a_leader_gives_a_review_is_paid_and_audited(lead_leader, media_request):
    user, leadership = lead_leader
    review = _give(media_request, user, notes="The outlet has a good record.")
    assert review.leader == leadership.consultant
    assert review.recommendation == AdvisoryReview.Recommendation.WITH_CHANGES
    [line] = PaymentLine.objects.filter(source_key=f"review:{review.pk}")
    assert line.amount == FEE
    assert line.consultant == leadership.consultant
    assert line.kind == PaymentLine.Kind.NETWORK
    # Neutral: the line names no request.
    assert media_request.title not in line.description
    assert "Radio" not in line.description
    assert LogEntry.objects.filter(additional_data__event="advisory_review_given").count() == 1


def test_a_revision_replaces_the_review_is_audited_and_pays_once(lead_leader, media_request):
    user, _leadership = lead_leader
    first = _give(media_request, user)
    second = _give(media_request, user, recommendation="recommend", changes="", notes="Fine now.")
    assert first.pk == second.pk
    assert AdvisoryReview.objects.count() == 1
    second.refresh_from_db()
    assert (second.recommendation, second.changes, second.notes) == ("recommend", "", "Fine now.")
    assert PaymentLine.objects.filter(source_key__startswith="review:").count() == 1
    assert LogEntry.objects.filter(additional_data__event="advisory_review_revised").count() == 1


def test_double_submit_pays_once(lead_leader, media_request):
    user, _leadership = lead_leader
    for _ in range(3):
        _give(media_request, user)
    assert PaymentLine.objects.filter(source_key__startswith="review:").count() == 1


def test_a_fee_of_zero_pays_nothing(lead_leader, media_request, lead_network):
    lead_network.review_fee = 0
    lead_network.save()
    user, _leadership = lead_leader
    _give(media_request, user)
    assert not PaymentLine.objects.filter(source_key__startswith="review:").exists()


def test_two_leaders_each_give_one_and_each_is_paid(
    lead_leader, media_request, lead_network, make_user, manager_user
):
    user, _ = lead_leader
    other, _ = make_leader(make_user, lead_network, manager_user, pseudonym="Dalisay")
    _give(media_request, user)
    _give(media_request, other, recommendation="do_not", changes="")
    assert AdvisoryReview.objects.filter(engagement=media_request).count() == 2
    assert PaymentLine.objects.filter(source_key__startswith="review:").count() == 2


@pytest.mark.parametrize("who", ["consultant", "role_only", "staff", "manager", "admin"])
def test_only_a_leader_may_review(who, make_user, media_request):
    match who:
        case "consultant":
            user = make_user(Role.CONSULTANT)
            ConsultantFactory(user=user)
        case "role_only":  # the role, but no leadership
            user = make_survivor_leader(make_user)
            ConsultantFactory(user=user)
        case "staff":
            user = make_user(Role.PROGRAMME_STAFF)
        case "manager":
            user = make_user(Role.PROGRAMME_MANAGER)
        case _:
            user = make_user(Role.ADMINISTRATOR)
    with pytest.raises(ValidationError, match="Only a survivor leader"):
        _give(media_request, user)
    assert not AdvisoryReview.objects.exists()
    assert not PaymentLine.objects.exists()


def test_an_ended_leadership_may_not_review(lead_leader, media_request, manager_user):
    user, leadership = lead_leader
    leader_end(leadership=leadership, by=manager_user)
    user.refresh_from_db()
    with pytest.raises(ValidationError, match="Only a survivor leader"):
        _give(media_request, user)


def test_the_role_without_the_leadership_row_is_not_enough(lead_leader, media_request):
    """A leadership whose account lost the role (out of step): nothing."""
    user, _leadership = lead_leader
    user.groups.filter(name=Role.SURVIVOR_LEADER.value).delete()
    from accounts.roles import forget_roles

    forget_roles(user)
    with pytest.raises(ValidationError, match="Only a survivor leader"):
        _give(media_request, user)


@pytest.mark.parametrize("name", ["approve", "decline", "cancel"])
def test_only_while_submitted(name, lead_leader, media_request, manager_user, lead_network):
    user, _ = lead_leader
    if name == "approve":
        lead_network.review_required_audiences = []
        lead_network.save()
    workflow.engagement_transition(
        engagement=media_request, name=name, by=manager_user, reason="Not now."
    )
    with pytest.raises(ValidationError, match="no longer waiting for approval"):
        _give(media_request, user)
    assert not PaymentLine.objects.exists()


def test_a_draft_may_not_be_reviewed(lead_leader, programme_staff_user):
    from tests.engagements.factories import EngagementFactory

    user, _ = lead_leader
    draft = EngagementFactory(owner=programme_staff_user)
    with pytest.raises(ValidationError, match="no longer waiting"):
        _give(draft, user)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"recommendation": ""}, "recommendation"),
        ({"recommendation": "approve_it_all"}, "recommendation"),
        ({"recommendation": "with_changes", "changes": "   "}, "changes"),
        ({"recommendation": "with_changes", "changes": ""}, "changes"),
    ],
)
def test_bad_input_is_refused_by_field(values, field, lead_leader, media_request):
    user, _ = lead_leader
    with pytest.raises(ValidationError) as caught:
        _give(media_request, user, **values)
    assert field in caught.value.message_dict
    assert not AdvisoryReview.objects.exists()


def test_too_long_notes_are_refused(lead_leader, media_request):
    user, _ = lead_leader
    with pytest.raises(ValidationError):
        _give(media_request, user, notes="x" * 4001)


def test_xss_is_kept_as_text(lead_leader, media_request):
    user, _ = lead_leader
    review = _give(media_request, user, changes=XSS, notes=XSS)
    review.refresh_from_db()
    assert review.changes == XSS  # stored as given; templates escape it


def test_review_time_is_now(lead_leader, media_request):
    user, _ = lead_leader
    before = timezone.now()
    review = _give(media_request, user)
    assert review.submitted_at >= before
