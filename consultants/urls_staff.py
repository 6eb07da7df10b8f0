"""Staff pages for consultants (mounted at /staff/consultants/)."""

from django.urls import path  # noqa: F401

app_name = "consultants"

urlpatterns = []
