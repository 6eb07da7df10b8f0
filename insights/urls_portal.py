"""The survivor leaders' figures page (mounted at /portal/lead/figures/,
before the leader area's own include). A new URL here needs its row in
tests/insights/test_leader_figures.py."""

from django.urls import path

from insights import views

app_name = "leader_figures"

urlpatterns = [
    path("", views.leader_figures, name="index"),
]
