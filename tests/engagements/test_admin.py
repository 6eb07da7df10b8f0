"""The admin: every model registered, statuses and history read-only, no
encrypted value shown, edits of dates go through the services."""

import pytest
from django.contrib import admin
from django.urls import reverse

from core.encryption import encrypted_field_names
from engagements.models import (
    Debrief,
    Engagement,
    EngagementTransition,
    Feedback,
    Participation,
    ParticipationChange,
    PrivacyPlan,
)
from tests.engagements.factories import (
    MONDAY,
    DebriefFactory,
    EngagementFactory,
    FeedbackFactory,
    ParticipationFactory,
    PrivacyPlanFactory,
    at,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

MODELS = [
    Engagement,
    EngagementTransition,
    PrivacyPlan,
    Participation,
    ParticipationChange,
    Debrief,
    Feedback,
]
SECRETS = ["Secret debrief note", "Secret Support Person", "My private reason"]


@pytest.fixture
def everything(owner):
    engagement = EngagementFactory(owner=owner, status="completed")
    participation = ParticipationFactory(
        engagement=engagement, status="withdrawn", withdrawal_reason="My private reason"
    )
    ParticipationChange.objects.create(participation=participation, to_status="withdrawn")
    EngagementTransition.objects.create(engagement=engagement, name="create", to_status="draft")
    PrivacyPlanFactory(engagement=engagement)
    DebriefFactory(engagement=engagement)
    FeedbackFactory(participation=ParticipationFactory(engagement=engagement, status="attended"))
    return engagement


def _url(model, name, *args):
    return reverse(f"admin:engagements_{model._meta.model_name}_{name}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_registered_and_shows_no_secret(everything, admin_user, model):
    model_admin = admin.site._registry[model]
    assert not set(encrypted_field_names(model)) & set(model_admin.list_display)
    client = client_for(admin_user)
    response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    pages = [response.content.decode()]
    obj = model.objects.first()
    response = client.get(_url(model, "change", obj.pk))
    assert response.status_code == 200
    pages.append(response.content.decode())
    for page in pages:
        for secret in SECRETS:
            assert secret not in page


@pytest.mark.parametrize(
    "model", [EngagementTransition, Participation, ParticipationChange, Debrief, Feedback]
)
def test_history_is_read_only(everything, admin_user, model):
    model_admin = admin.site._registry[model]
    request = type("R", (), {"user": admin_user})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, model.objects.first())
    assert not model_admin.has_delete_permission(request, model.objects.first())


def test_changing_dates_in_the_admin_moves_the_participations(admin_user, owner):
    engagement = EngagementFactory(owner=owner, status="staffing")
    participation = ParticipationFactory(engagement=engagement, status="accepted")
    client = client_for(admin_user)
    form = client.get(_url(Engagement, "change", engagement.pk)).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name not in ("start", "end", "expertise", "assigned_staff", "languages")
    }
    data.update(
        {
            "start_0": "2031-06-02",
            "start_1": "14:00:00",
            "end_0": "2031-06-02",
            "end_1": "16:00:00",
            "languages": "",
            "owner": owner.pk,
            "participations-TOTAL_FORMS": "1",
            "participations-INITIAL_FORMS": "1",
            "participations-0-id": participation.pk,
            "participations-0-engagement": engagement.pk,
            "transitions-TOTAL_FORMS": "0",
            "transitions-INITIAL_FORMS": "0",
        }
    )
    response = client.post(_url(Engagement, "change", engagement.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    participation.refresh_from_db()
    assert participation.period.lower == at(MONDAY, 14)
    engagement.refresh_from_db()
    assert engagement.status == "staffing"
