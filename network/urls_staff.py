"""Staff pages of the survivor network (mounted at /staff/network/): the
network, its leaders, what it led, its peer circles. A new URL here needs
its row in tests/network/test_network_staff_permission_matrix.py."""

from django.urls import path

from network import urls_growth_staff
from network.views import circles, staff

app_name = "network"

urlpatterns = [
    path("", staff.index, name="index"),
    path("new/", staff.network_create, name="create"),
    path("edit/", staff.network_edit, name="edit"),
    path("leaders/new/", staff.leader_add, name="leader_add"),
    path("leaders/<int:pk>/end/", staff.leader_end, name="leader_end"),
    path("engagements/<int:engagement_pk>/led/", staff.engagement_led, name="engagement_led"),
    path("works/<int:pk>/led/", staff.work_led, name="work_led"),
    path("circles/", circles.circle_list, name="circles"),
    path("circles/new/", circles.circle_create, name="circle_create"),
    path("circles/<int:pk>/", circles.circle, name="circle"),
    path("circles/<int:pk>/edit/", circles.circle_edit, name="circle_edit"),
    path("circles/<int:pk>/members/new/", circles.member_add, name="member_add"),
    path(
        "circles/<int:pk>/members/<int:membership_pk>/remove/",
        circles.member_remove,
        name="member_remove",
    ),
    path("circles/<int:pk>/meetings/new/", circles.meeting_add, name="meeting_add"),
    path(
        "circles/<int:pk>/meetings/<int:meeting_pk>/cancel/",
        circles.meeting_cancel,
        name="meeting_cancel",
    ),
    path(
        "circles/<int:pk>/meetings/<int:meeting_pk>/attendance/",
        circles.attendance,
        name="attendance",
    ),
]

# Growth's staff pages (learning events, skills, steps), under the same prefix.
urlpatterns += urls_growth_staff.urlpatterns
