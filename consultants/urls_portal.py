"""The consultant's own pages in the portal (mounted at /portal/me/)."""

from django.urls import path  # noqa: F401

app_name = "my"

urlpatterns = []
