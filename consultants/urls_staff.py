"""Staff pages for consultants (mounted at /staff/consultants/)."""

from django.urls import path

from consultants.views import staff as views

app_name = "consultants"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/status/", views.status_change, name="status"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/availability/", views.availability, name="availability"),
    path("<int:pk>/availability/windows/add/", views.window_add, name="window_add"),
    path(
        "<int:pk>/availability/windows/<int:window_pk>/remove/",
        views.window_remove,
        name="window_remove",
    ),
    path("<int:pk>/availability/busy/add/", views.busy_add, name="busy_add"),
    path(
        "<int:pk>/availability/busy/<int:period_pk>/remove/",
        views.busy_remove,
        name="busy_remove",
    ),
    path("<int:pk>/consent/", views.consent, name="consent"),
    path(
        "<int:pk>/consent/<slug:scope>/withdraw/", views.consent_withdraw, name="consent_withdraw"
    ),
    path(
        "<int:pk>/consent/records/<int:record_pk>/evidence/",
        views.consent_evidence,
        name="consent_evidence",
    ),
    path("<int:pk>/wellbeing/", views.wellbeing, name="wellbeing"),
    path("<int:pk>/wellbeing/notes/add/", views.wellbeing_note_add, name="wellbeing_note_add"),
    path("<int:pk>/wellbeing/lead/", views.wellbeing_lead, name="wellbeing_lead"),
]
