"""Approval waits for a survivor leader's review where the network asks for
one (network.services.reviews.approval_guard), and the staff page of the
engagement shows the reviews where the manager approves."""

from __future__ import annotations

import pytest
from django.urls import reverse

from engagements import workflow
from engagements.models import Engagement
from network.services.reviews import approval_guard, approval_guard_many, review_give
from tests.helpers import client_for
from tests.network.lead_world import submitted_request

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script>'


def test_a_required_review_blocks_approval(media_request, manager_user):
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.engagement_transition(engagement=media_request, name="approve", by=manager_user)
    [reason] = [r for r in refused.value.reasons if "survivor leader" in r]
    assert "Media" in reason and "ask one of them" in reason
    media_request.refresh_from_db()
    assert media_request.status == Engagement.Status.SUBMITTED


def test_with_a_review_approval_goes_ahead(media_request, manager_user, lead_leader):
    review_give(
        engagement=media_request, by=lead_leader[0], recommendation="do_not", changes="", notes=""
    )
    # Advice, not a veto: "do not recommend" still lets the manager decide.
    workflow.engagement_transition(engagement=media_request, name="approve", by=manager_user)
    media_request.refresh_from_db()
    assert media_request.status == Engagement.Status.APPROVED


def test_an_audience_the_network_does_not_name_needs_no_review(internal_request, manager_user):
    workflow.engagement_transition(engagement=internal_request, name="approve", by=manager_user)
    internal_request.refresh_from_db()
    assert internal_request.status == Engagement.Status.APPROVED


def test_no_network_no_requirement(media_request, manager_user, lead_network):
    lead_network.review_required_audiences = []
    lead_network.save()
    assert approval_guard(engagement=media_request) == []


def test_many_agrees_with_single(
    media_request, internal_request, programme_staff_user, lead_leader, django_assert_num_queries
):
    reviewed = submitted_request(programme_staff_user, audience="government")
    review_give(engagement=reviewed, by=lead_leader[0], recommendation="recommend")
    engagements = [media_request, internal_request, reviewed]
    single = {e.pk: approval_guard(engagement=e) for e in engagements}
    with django_assert_num_queries(2):
        many = approval_guard_many(engagements=engagements)
    for engagement in engagements:
        assert list(many.get(engagement.pk, [])) == single[engagement.pk]
    assert single[media_request.pk] and not single[internal_request.pk]
    assert not single[reviewed.pk]
    # Through the workflow's own many form, too.
    reasons = workflow.refusal_reasons_many(engagements=engagements, name="approve", by=None)
    assert any("survivor leader" in r for r in reasons[media_request.pk])
    assert not any("survivor leader" in r for r in reasons[reviewed.pk])


def test_the_manager_sees_the_reviews_where_approving(media_request, manager_user, lead_leader):
    client = client_for(manager_user)
    url = reverse("engagements:detail", args=[media_request.pk])
    page = client.get(url).content.decode()
    assert "Survivor leaders" in page
    assert "It cannot be approved until a leader has reviewed it." in page
    # The approve form is on the same page, with the reason it is blocked.
    assert reverse("engagements:transition", args=[media_request.pk, "approve"]) in page
    assert "A survivor leader must review this request" in page

    review_give(
        engagement=media_request,
        by=lead_leader[0],
        recommendation="with_changes",
        changes="Blur faces. " + XSS,
        notes="Good outlet.",
    )
    page = client.get(url).content.decode()
    assert "Recommend with changes" in page
    assert "Liwayway" in page  # the leader, by pseudonym
    assert "Blur faces." in page and "Good outlet." in page
    assert XSS not in page and "&lt;script&gt;" in page
    assert "A survivor leader must review this request" not in page

    response = client.post(reverse("engagements:transition", args=[media_request.pk, "approve"]))
    assert response.status_code == 302
    media_request.refresh_from_db()
    assert media_request.status == Engagement.Status.APPROVED
    # After approval the reviews stay on the page.
    assert "Recommend with changes" in client.get(url).content.decode()


def test_approving_without_the_review_says_why(media_request, manager_user):
    response = client_for(manager_user).post(
        reverse("engagements:transition", args=[media_request.pk, "approve"])
    )
    assert response.status_code == 400
    assert "A survivor leader must review this request" in response.content.decode()
    media_request.refresh_from_db()
    assert media_request.status == Engagement.Status.SUBMITTED


def test_staff_who_may_not_see_the_engagement_see_no_panel(
    media_request, make_user, lead_leader, wellbeing_user
):
    review_give(engagement=media_request, by=lead_leader[0], recommendation="recommend")
    from network.panels import engagement_reviews

    assert engagement_reviews(media_request, wellbeing_user) is None
    assert engagement_reviews(media_request, lead_leader[0]) is None


def test_a_draft_has_no_panel(programme_staff_user, manager_user):
    from network.panels import engagement_reviews
    from tests.engagements.factories import EngagementFactory

    draft = EngagementFactory(owner=programme_staff_user, audience="media")
    assert engagement_reviews(draft, manager_user) is None
