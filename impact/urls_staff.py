"""Staff pages of impact (mounted at /staff/impact/). A new URL here needs
its row in tests/impact/test_permission_matrix.py."""

from django.urls import path

from impact.views import staff as views

app_name = "impact"

urlpatterns = [
    path("", views.index, name="index"),
    path("engagements/<int:engagement_pk>/", views.engagement, name="engagement"),
    path(
        "engagements/<int:engagement_pk>/contributions/new/",
        views.contribution_add,
        name="contribution_add",
    ),
    path(
        "engagements/<int:engagement_pk>/ask-partner/",
        views.feedback_link,
        name="feedback_link",
    ),
    path("engagements/<int:engagement_pk>/works/new/", views.work_add, name="work_add"),
    path("contributions/<int:pk>/", views.contribution, name="contribution"),
    path("contributions/<int:pk>/edit/", views.contribution_edit, name="contribution_edit"),
    path("contributions/<int:pk>/outcome/", views.outcome_add, name="outcome_add"),
    path("outcomes/<int:pk>/evidence/", views.outcome_evidence, name="outcome_evidence"),
]
