"""The consultant's "What your voice changed" (mounted at /portal/voice/).
A new URL here needs its row in tests/impact/test_permission_matrix.py."""

from django.urls import path

from impact.views import portal as views

app_name = "my_impact"

urlpatterns = [
    path("", views.index, name="index"),
    path("works/<int:pk>/", views.credit, name="credit"),
]
