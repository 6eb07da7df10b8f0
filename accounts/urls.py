"""The staff invitation link, under /accounts/ beside allauth's pages."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("invitation/needed/", views.invitation_needed, name="account_invitation_needed"),
    path("invitation/<str:token>/", views.invitation_accept, name="account_invitation"),
]
