"""Staff pages for engagements (mounted at /staff/engagements/).

A new URL here needs its row in tests/engagements/test_staff_permission_matrix.py.
"""

from django.urls import path

from engagements.views import staff as views

app_name = "engagements"

urlpatterns = [
    path("", views.engagement_list, name="list"),
    path("calendar/", views.calendar_month, name="calendar"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/actions/<slug:name>/", views.transition, name="transition"),
    path("<int:pk>/matching/", views.matching_page, name="matching"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/invite-pair/", views.invite_pair, name="invite_pair"),
    path("<int:pk>/privacy-plan/", views.privacy_plan, name="privacy_plan"),
    path("<int:pk>/privacy-plan/approve/", views.privacy_plan_approve, name="privacy_plan_approve"),
    path("<int:pk>/staff/", views.assign_staff, name="assign_staff"),
    path("<int:pk>/staff/<int:user_pk>/remove/", views.unassign_staff, name="unassign_staff"),
    path(
        "<int:pk>/participants/<int:participation_pk>/confirm/",
        views.participation_confirm,
        name="participation_confirm",
    ),
    path(
        "<int:pk>/participants/<int:participation_pk>/revoke/",
        views.participation_revoke,
        name="participation_revoke",
    ),
    path(
        "<int:pk>/participants/<int:participation_pk>/attendance/",
        views.participation_attendance,
        name="participation_attendance",
    ),
    path(
        "<int:pk>/participants/<int:participation_pk>/answer/",
        views.participation_answer,
        name="participation_answer",
    ),
    path("<int:pk>/debrief/", views.debrief, name="debrief"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
]
