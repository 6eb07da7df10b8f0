"""The consultant's engagements and invitations (mounted at /portal/engagements/).

``pk`` is always one of the signed-in consultant's own participations;
anyone else's is a 404. A new URL here needs its row in
tests/engagements/test_portal_permission_matrix.py.
"""

from django.urls import path

from engagements.views import portal as views

app_name = "my_engagements"

urlpatterns = [
    path("", views.index, name="index"),
    path("invitations/", views.invitations, name="invitations"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/step-back/", views.step_back, name="step_back"),
    path("<int:pk>/join-again/", views.rejoin, name="rejoin"),
    path("<int:pk>/sharing/", views.sharing, name="sharing"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
    path("<int:pk>/calendar.ics", views.ics, name="ics"),
]
