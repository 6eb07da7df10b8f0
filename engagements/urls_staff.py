"""Staff pages for engagements (mounted at /staff/engagements/)."""

from django.urls import path  # noqa: F401

app_name = "engagements"

urlpatterns = []
