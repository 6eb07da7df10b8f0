"""The admin of growth: every model registered and its pages open for an
administrator; pathways are defined there; her words never appear; what
the services write is read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from network.models import (
    LearningEvent,
    Pathway,
    PathwayStep,
    Reflection,
    SkillEvidence,
    StepReached,
)
from network.services import growth as services
from tests.helpers import client_for
from tests.network.growth_world import attend, build

pytestmark = pytest.mark.django_db

MODELS = [Pathway, PathwayStep, LearningEvent, SkillEvidence, StepReached, Reflection]
SECRET = "My private words about the camp"


@pytest.fixture
def world(make_user, manager_user):
    world = build(make_user)
    attend(world, "Amihan")
    services.step_reach(consultant=world["amihan"], step=world["steps"][0], by=manager_user)
    services.reflection_add(
        consultant=world["amihan"], by=world["amihan"].user, body=SECRET, shared_with_team=False
    )
    return world


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_has_admin_pages_without_her_words(world, admin_user, model):
    assert model in admin.site._registry
    client = client_for(admin_user)
    name = model._meta.model_name
    pages = [
        client.get(reverse(f"admin:network_{name}_changelist")),
        client.get(reverse(f"admin:network_{name}_change", args=[model.objects.first().pk])),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert SECRET not in html
        assert world["amihan"].legal_name not in html


@pytest.mark.parametrize("model", [LearningEvent, SkillEvidence, StepReached, Reflection])
def test_what_services_write_is_read_only(world, admin_user, model, rf):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = admin_user
    obj = model.objects.first()
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert not model_admin.has_add_permission(request)


def test_an_administrator_defines_a_pathway_with_steps(world, admin_user):
    response = client_for(admin_user).post(
        reverse("admin:network_pathway_add"),
        {
            "name": "Consultant to survivor leader",
            "description": "",
            "is_active": "on",
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000",
            "steps-0-order": "1",
            "steps-0-title": "Co-facilitator",
            "steps-0-skills": [world["facilitation"].pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pathway = Pathway.objects.get(name="Consultant to survivor leader")
    [step] = pathway.steps.all()
    assert list(step.skills.all()) == [world["facilitation"]]


def test_non_administrators_cannot_open_it(world, manager_user):
    response = client_for(manager_user).get(reverse("admin:network_pathway_changelist"))
    assert response.status_code in (302, 403)
