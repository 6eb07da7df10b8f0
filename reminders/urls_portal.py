"""The consultant's reminder choices (mounted at /portal/reminders/)."""

from django.urls import path

from reminders import views

app_name = "my_reminders"

urlpatterns = [
    path("", views.portal_preferences, name="preferences"),
]
