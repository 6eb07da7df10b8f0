"""The admin: every model registered, lists without any consultant, the
team's encrypted note out of change forms, histories read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from core.encryption import encrypted_field_names
from impact import services
from impact.models import (
    Contribution,
    FeedbackRequest,
    FollowUpAnswer,
    Outcome,
    OutcomeStatus,
    PartnerFeedback,
    Work,
    WorkCredit,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

MODELS = [Contribution, Outcome, FeedbackRequest, PartnerFeedback, FollowUpAnswer, Work, WorkCredit]


@pytest.fixture
def everything(world, contribution, mailoutbox, django_capture_on_commit_callbacks):
    services.outcome_record(
        contribution=contribution,
        by=world["owner"],
        status=OutcomeStatus.ADOPTED,
        decided_on=timezone.localdate(),
        note="TEAM SECRET NOTE",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_link_send(
            engagement=world["engagement"], by=world["owner"], address="p@example.org"
        )
    token = mailoutbox[-1].body.split("/feedback/")[1].split("/")[0]
    services.feedback_submit(
        token=token, useful="yes", will_change="More", follow_ups={contribution.pk: True}
    )
    services.work_create(
        engagement=world["engagement"],
        by=world["owner"],
        title="A guide",
        kind="report",
        consultants=[world["amihan"]],
    )
    return world


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_registered_and_shows_no_consultant(everything, admin_user, model):
    model_admin = admin.site._registry[model]
    hidden = set(encrypted_field_names(model))
    assert not hidden & set(model_admin.list_display)
    client = client_for(admin_user)
    changelist = reverse(f"admin:impact_{model._meta.model_name}_changelist")
    pages = [client.get(changelist)]
    obj = model.objects.first()
    pages.append(
        client.get(reverse(f"admin:impact_{model._meta.model_name}_change", args=[obj.pk]))
    )
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        for secret in ("Amihan", "Bayani", "TEAM SECRET NOTE", everything["amihan"].legal_name):
            assert secret not in html, (model.__name__, secret)


@pytest.mark.parametrize(
    "model", [Outcome, FeedbackRequest, PartnerFeedback, FollowUpAnswer, WorkCredit]
)
def test_histories_are_read_only(everything, admin_user, model, rf):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = admin_user
    obj = model.objects.first()
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert not model_admin.has_add_permission(request)


def test_non_administrators_cannot_open_it(everything):
    response = client_for(everything["manager"]).get(
        reverse("admin:impact_contribution_changelist")
    )
    assert response.status_code in (302, 403)


def test_a_work_link_typed_without_its_scheme_is_read_as_https(rf, admin_user):
    model_admin = admin.site._registry[Work]
    request = rf.get("/")
    request.user = admin_user
    form_class = model_admin.get_form(request, obj=None, fields=["link"])
    form = form_class(data={"link": "example.org/report"})
    form.is_valid()
    assert form.cleaned_data["link"] == "https://example.org/report"
