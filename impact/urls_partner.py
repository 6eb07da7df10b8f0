"""The partner's one-time feedback form (mounted at /feedback/), no account.
A new URL here needs its row in tests/impact/test_permission_matrix.py."""

from django.urls import path

from impact.views import partner as views

app_name = "partner_feedback"

urlpatterns = [
    path("<str:token>/", views.form, name="form"),
]
