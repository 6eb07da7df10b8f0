from django.urls import path

from accounts import views_staff

app_name = "people"

urlpatterns = [
    path("", views_staff.people, name="list"),
    path("invite/", views_staff.invite, name="invite"),
    path("<int:pk>/new-link/", views_staff.resend, name="resend"),
    path("<int:pk>/reset-second-factor/", views_staff.mfa_reset, name="mfa_reset"),
]
