"""Staff pages of growth (mounted at /staff/network/; names
``network:growth_...``). A new URL here needs its row in
tests/network/test_growth_permission_matrix.py.

The patterns are relative to /staff/network/ so that the network's other
staff pages (network/urls_staff.py) may take them in one include."""

from django.urls import path

from network.views import growth_staff as views

app_name = "network"

urlpatterns = [
    path(
        "growth/engagements/<int:engagement_pk>/learning-event/",
        views.event_edit,
        name="growth_event_edit",
    ),
    path("consultants/<int:pk>/skills/", views.skills, name="growth_skills"),
    path("consultants/<int:pk>/skills/add/", views.skill_add, name="growth_skill_add"),
    path(
        "consultants/<int:pk>/skills/<int:evidence_pk>/withdraw/",
        views.skill_withdraw,
        name="growth_skill_withdraw",
    ),
    path("consultants/<int:pk>/steps/add/", views.step_add, name="growth_step_add"),
]
