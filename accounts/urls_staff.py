"""People (mounted at /staff/people/): administrators only.

A new URL here needs its row in tests/accounts/test_people_permission_matrix.py.
"""

from django.urls import path

from accounts import views_staff

app_name = "people"

urlpatterns = [
    path("", views_staff.people, name="list"),
    path("invite/", views_staff.invite, name="invite"),
    path("<int:pk>/", views_staff.person, name="person"),
    path("<int:pk>/roles/", views_staff.roles, name="roles"),
    path("<int:pk>/deactivate/", views_staff.deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views_staff.reactivate, name="reactivate"),
    path("<int:pk>/new-link/", views_staff.resend, name="resend"),
    path("<int:pk>/reset-second-factor/", views_staff.mfa_reset, name="mfa_reset"),
]
