"""Staff pages for reminders (mounted at /staff/reminders/). A new URL here
needs its row in tests/reminders/test_views.py's MATRIX."""

from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.settings_index, name="settings"),
    path("settings/<slug:kind>/", views.setting_edit, name="setting_edit"),
    path("log/", views.log, name="log"),
    path("failed/", views.failed, name="failed"),
    path("failed/<int:pk>/retry/", views.retry, name="retry"),
    path("failed/<int:pk>/mark-sent/", views.mark_sent, name="mark_sent"),
    path("me/", views.my_preference, name="me"),
]
