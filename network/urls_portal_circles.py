"""The consultant's peer circle (mounted at /portal/circles/). A new URL
here needs its row in tests/network/test_circles_permission_matrix.py."""

from django.urls import path

from network.views import circles

app_name = "my_circles"

urlpatterns = [
    path("", circles.my_circles, name="index"),
]
