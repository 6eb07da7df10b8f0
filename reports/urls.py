from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("request/<slug:kind>/", views.report_request, name="request"),
    path("<uuid:pk>/", views.report_detail, name="detail"),
    path("<uuid:pk>/retry/", views.report_retry, name="retry"),
    path("<uuid:pk>/download/", views.report_download, name="download"),
]
