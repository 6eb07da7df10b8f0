"""The checklist's gates on the engagement workflow."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from checklists import services
from checklists.models import ChecklistItem, Gate
from engagements import workflow
from engagements.models import Engagement, Participation
from engagements.workflow import TransitionRefused
from tests.engagements.factories import (
    DebriefFactory,
    EngagementFactory,
    ParticipationFactory,
    PrivacyPlanFactory,
)
from tests.fixtures import ALL_SCOPES

pytestmark = pytest.mark.django_db

S = Engagement.Status
PDF = b"%PDF-1.4 agreement"


def _staff_up(engagement, owner, make_consultant):
    """Staffing, one consultant confirmed with every consent, a privacy plan."""
    engagement = workflow.engagement_transition(
        engagement=engagement, name="start_staffing", by=owner
    )
    consultant = make_consultant(scopes=ALL_SCOPES)
    ParticipationFactory(
        engagement=engagement, consultant=consultant, status=Participation.Status.CONFIRMED
    )
    PrivacyPlanFactory(engagement=engagement)
    return engagement


def _tick_all(engagement, gate, by):
    for item in ChecklistItem.objects.filter(
        checklist__engagement=engagement, gates=gate, status=ChecklistItem.Status.OPEN
    ):
        services.item_mark_done(
            item=item,
            by=by,
            note="Done, see the file.",
            evidence=SimpleUploadedFile("a.pdf", PDF) if item.evidence == "file" else None,
        )


def test_public_engagement_cannot_be_confirmed_until_privacy_consent_support_done(
    public_engagement, owner, manager_user, make_consultant
):
    """Done when: the refusal names the privacy, consent and support items."""
    engagement = _staff_up(public_engagement, owner, make_consultant)
    with pytest.raises(TransitionRefused) as refused:
        workflow.engagement_transition(engagement=engagement, name="confirm", by=owner)
    reasons = " ".join(refused.value.reasons)
    for title in (
        "Privacy plan approved",
        "Informed consent for participation recorded",
        "Consent for any photo, video or audio recording recorded",
        "Trauma-risk plan and support person arranged",
        "Consultant told they need not share their personal story and can stop at any time",
    ):
        assert f"“{title}”" in reasons
    # Non-gating items (the briefing) are not in the way.
    assert "Briefing held" not in reasons
    engagement.refresh_from_db()
    assert engagement.status == S.STAFFING

    # All but one done: the refusal names just that one.
    _tick_all(engagement, Gate.CONFIRM, manager_user)
    privacy = ChecklistItem.objects.get(checklist__engagement=engagement, key="privacy-plan")
    services.item_reopen(item=privacy, by=manager_user)
    with pytest.raises(TransitionRefused) as refused:
        workflow.engagement_transition(engagement=engagement, name="confirm", by=owner)
    assert refused.value.reasons == ["Checklist: “Privacy plan approved” is not done yet."]

    services.item_mark_done(item=privacy, by=manager_user, note="Approved by the manager.")
    confirmed = workflow.engagement_transition(engagement=engagement, name="confirm", by=owner)
    assert confirmed.status == S.CONFIRMED


def test_not_applicable_with_justification_passes_the_gate(
    internal_online, owner, manager_user, make_consultant
):
    engagement = _staff_up(internal_online, owner, make_consultant)
    recording = ChecklistItem.objects.get(checklist__engagement=engagement, key="consent-recording")
    services.item_mark_not_applicable(
        item=recording, by=owner, justification="Nothing is recorded at this session."
    )
    _tick_all(engagement, Gate.CONFIRM, manager_user)
    reasons = workflow.refusal_reasons(engagement=engagement, name="confirm", by=owner)
    assert not [r for r in reasons if r.startswith("Checklist")]


def test_close_needs_the_after_items(internal_online, owner, manager_user, make_consultant):
    engagement = EngagementFactory(owner=owner, status=S.COMPLETED)
    services.checklist_instantiate(engagement=engagement)
    DebriefFactory(engagement=engagement)
    with pytest.raises(TransitionRefused) as refused:
        workflow.engagement_transition(engagement=engagement, name="close", by=owner)
    assert "Checklist: “Debrief within 48 hours” is not done yet." in refused.value.reasons
    assert "Checklist: “Payment made within the target” is not done yet." in refused.value.reasons
    _tick_all(engagement, Gate.CLOSE, manager_user)
    assert workflow.engagement_transition(engagement=engagement, name="close", by=owner).status == (
        S.CLOSED
    )


def test_the_options_on_the_page_show_the_same_reasons(public_engagement, owner, make_consultant):
    engagement = _staff_up(public_engagement, owner, make_consultant)
    options = {o.name: o for o in workflow.transitions_for(engagement=engagement, user=owner)}
    assert "Checklist: “Privacy plan approved” is not done yet." in options["confirm"].blocked_by


def test_an_engagement_without_a_checklist_has_nothing_to_gate(owner):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    reasons = workflow.refusal_reasons(engagement=engagement, name="confirm", by=owner)
    assert not [r for r in reasons if r.startswith("Checklist")]
