"""A survivor leader's area in the portal (mounted at /portal/lead/).
A new URL here needs its row in tests/network/test_lead_permission_matrix.py.
The programme figures (/portal/lead/figures/) are the insights app's."""

from django.urls import path

from network.views import lead as views

app_name = "lead"

urlpatterns = [
    path("", views.home, name="home"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/review/", views.review, name="review"),
]
