"""The consultant's engagements and invitations (mounted at /portal/engagements/)."""

from django.urls import path  # noqa: F401

app_name = "my_engagements"

urlpatterns = []
