# ruff: noqa: F811  (the fixtures of tests/network/circles_world.py, imported by name)
"""The peer circle pages (issue #18, part 2) with bad, hostile and
unauthorised input: other circles' ids, an ended circle, strangers marked
present, double submits, XSS in names; the money through the pages; the
portal's own-circle page; the list's queries at two sizes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from compensation.models import Payment, PaymentLine
from compensation.services.payments import payment_approve, payment_group
from core.templatetags.when import date_time
from network.models import CircleAttendance, CircleMeeting, CircleMembership, PeerCircle
from network.services import circles as services
from tests.consultants.factories import ConsultantFactory
from tests.helpers import client_for
from tests.network.circles_world import circles_world, network  # noqa: F401

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


def _url(name, *args):
    return reverse(f"network:{name}", args=args)


def _lines():
    return PaymentLine.objects.filter(source_key__startswith="circle-attendance:")


def test_attendance_through_the_page_owes_once(circles_world):
    world = circles_world
    client = client_for(world["contact"])
    url = _url("attendance", world["circle"].pk, world["meeting"].pk)
    page = client.get(url)
    assert b"Amihan" in page.content and b"Lakan" not in page.content
    data = {"present": [world["amihan"].pk, world["bayani"].pk]}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # double submit
    assert _lines().count() == 2
    assert CircleAttendance.objects.filter(meeting=world["meeting"]).count() == 3


def test_a_correction_of_a_paid_allowance_is_refused_on_the_page(
    circles_world, finance_user, finance_colleague
):
    world = circles_world
    client = client_for(world["contact"])
    url = _url("attendance", world["circle"].pk, world["meeting"].pk)
    client.post(url, {"present": [world["amihan"].pk]})
    line = _lines().get()
    payment = payment_group(consultant=world["amihan"], by=finance_user, lines=[line])
    payment_approve(payment=payment, by=finance_colleague)
    response = client.post(url, {})
    assert response.status_code == 400
    assert "finance" in response.content.decode()
    assert CircleAttendance.objects.get(consultant=world["amihan"]).present
    assert Payment.objects.get().status == Payment.Status.APPROVED


@pytest.mark.parametrize(
    "present", [["LAKAN"], ["abc"], ["999999"], ["-1"], ["1.5"], ["AMIHAN", "LAKAN"]]
)
def test_only_members_are_marked(circles_world, present):
    world = circles_world
    values = [
        {"LAKAN": world["lakan"].pk, "AMIHAN": world["amihan"].pk}.get(value, value)
        for value in present
    ]
    response = client_for(world["contact"]).post(
        _url("attendance", world["circle"].pk, world["meeting"].pk), {"present": values}
    )
    assert response.status_code == 400
    assert not CircleAttendance.objects.exists()
    assert not _lines().exists()


def test_other_circles_ids_are_404(circles_world):
    world = circles_world
    client = client_for(world["contact"])
    circle, other = world["circle"].pk, world["other"].pk
    for url in (
        _url("circle", other),
        _url("member_remove", circle, world["other_membership"].pk),
        _url("meeting_cancel", circle, world["other_meeting"].pk),
        _url("attendance", circle, world["other_meeting"].pk),
        _url("attendance", other, world["other_meeting"].pk),
    ):
        assert client.get(url).status_code == 404, url
        if "/meetings/" in url or "/members/" in url:
            assert client.post(url, {"present": [world["lakan"].pk]}).status_code == 404, url
    assert not CircleAttendance.objects.exists()
    assert CircleMembership.objects.filter(left_on__isnull=False).count() == 0


def test_wrong_methods(circles_world):
    client = client_for(circles_world["manager"])
    assert client.post(_url("circles")).status_code == 405
    assert client.post(_url("circle", circles_world["circle"].pk)).status_code == 405
    assert client.put(_url("circle_edit", circles_world["circle"].pk)).status_code == 405


def test_create_a_circle_with_hostile_text(circles_world):
    world = circles_world
    client = client_for(world["manager"])
    data = {
        "name": XSS,
        "staff_contact": world["contact"].pk,
        "facilitator": world["bayani"].pk,
        "paid": "on",
        "started_on": timezone.localdate().isoformat(),
    }
    response = client.post(_url("circle_create"), data)
    assert response.status_code == 302
    circle = PeerCircle.objects.get(name=XSS)
    page = client.get(_url("circle", circle.pk)).content.decode()
    assert XSS not in page and "&lt;script&gt;" in page
    listing = client.get(_url("circles"), {"q": "script"}).content.decode()
    assert XSS not in listing and "&lt;script&gt;" in listing


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"staff_contact": "999999"},
        {"staff_contact": "AMIHAN_USER"},
        {"facilitator": "999999"},
        {"facilitator": "AMIHAN", "co_facilitator": "AMIHAN"},
        {"ended_on": "2000-01-01"},
        {"started_on": "not a date"},
    ],
)
def test_bad_circles_are_refused(circles_world, changes):
    world = circles_world
    data = {
        "name": "Bago",
        "staff_contact": world["contact"].pk,
        "started_on": timezone.localdate().isoformat(),
    }
    replace = {
        "AMIHAN": world["amihan"].pk,
        "AMIHAN_USER": world["amihan"].user.pk,
    }
    data.update({key: replace.get(value, value) for key, value in changes.items()})
    response = client_for(world["manager"]).post(_url("circle_create"), data)
    assert response.status_code == 400
    assert PeerCircle.objects.count() == 2


def test_an_ended_circle_takes_no_members_or_meetings(circles_world):
    world = circles_world
    services.circle_update(
        circle=world["circle"], by=world["manager"], ended_on=timezone.localdate()
    )
    client = client_for(world["contact"])
    newcomer = ConsultantFactory()
    response = client.post(_url("member_add", world["circle"].pk), {"consultant": newcomer.pk})
    assert response.status_code == 400
    response = client.post(
        _url("meeting_add", world["circle"].pk),
        {"starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "mode": "online"},
    )
    assert response.status_code == 400
    assert not CircleMembership.objects.filter(consultant=newcomer).exists()
    assert CircleMeeting.objects.filter(circle=world["circle"]).count() == 1


def test_members_are_chosen_by_search(circles_world):
    world = circles_world
    client = client_for(world["contact"])
    newcomer = ConsultantFactory(pseudonym="Bagong Kasapi")
    page = client.get(_url("member_add", world["circle"].pk), {"consultant_q": "Bagong"})
    assert "Bagong Kasapi" in page.content.decode()
    assert newcomer.legal_name not in page.content.decode()
    # Someone already in, someone erased or inactive: refused.
    assert (
        client.post(
            _url("member_add", world["circle"].pk), {"consultant": world["amihan"].pk}
        ).status_code
        == 400
    )
    gone = ConsultantFactory(status="alumni")
    assert (
        client.post(_url("member_add", world["circle"].pk), {"consultant": gone.pk}).status_code
        == 400
    )
    response = client.post(_url("member_add", world["circle"].pk), {"consultant": newcomer.pk})
    assert response.status_code == 302
    assert CircleMembership.objects.filter(consultant=newcomer, left_on__isnull=True).exists()


def test_remove_a_member_after_confirming(circles_world):
    world = circles_world
    client = client_for(world["contact"])
    membership = world["memberships"]["Bayani"]
    url = _url("member_remove", world["circle"].pk, membership.pk)
    assert "Bayani" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == timezone.localdate()
    assert client.post(url).status_code == 404  # already gone


def test_schedule_and_cancel_a_meeting(circles_world):
    world = circles_world
    client = client_for(world["contact"])
    when = timezone.localtime() + datetime.timedelta(days=2)
    response = client.post(
        _url("meeting_add", world["circle"].pk),
        {"starts_at": when.strftime("%Y-%m-%dT%H:%M"), "mode": "in_person"},
    )
    assert response.status_code == 302
    meeting = CircleMeeting.objects.filter(circle=world["circle"]).order_by("-pk").first()
    assert meeting.mode == "in_person"
    bad = client.post(
        _url("meeting_add", world["circle"].pk), {"starts_at": "yesterday", "mode": "online"}
    )
    assert bad.status_code == 400
    url = _url("meeting_cancel", world["circle"].pk, meeting.pk)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # It asks, in the project's date format (no ISO date, no 24-hour clock).
    day = date_time(timezone.localtime(meeting.starts_at), "l j F Y")
    assert f"Cancel the meeting of {day}?" in html
    assert "is cancelled" not in html
    assert meeting.starts_at.strftime("%Y-%m-%d") not in html
    assert 'class="button-danger"' in html
    assert client.post(url).status_code == 302
    meeting.refresh_from_db()
    assert meeting.cancelled_at is not None
    assert client.post(url).status_code == 404


def test_a_meeting_with_someone_present_cannot_be_cancelled_on_the_page(circles_world):
    world = circles_world
    client = client_for(world["contact"])
    url = _url("meeting_cancel", world["circle"].pk, world["meeting"].pk)
    circle_url = _url("circle", world["circle"].pk)
    # No one present yet: the circle's page offers to cancel it.
    assert f'href="{url}"' in client.get(circle_url).content.decode()
    client.post(
        _url("attendance", world["circle"].pk, world["meeting"].pk),
        {"present": [world["amihan"].pk]},
    )
    # Someone was present: no link, and the page says why, with no button.
    assert f'href="{url}"' not in client.get(circle_url).content.decode()
    refusal = "Someone is marked present at this meeting"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert refusal in html
    assert 'class="button-danger"' not in html and "is cancelled" not in html
    assert "Cancel the meeting of" not in html
    assert f'href="{circle_url}"' in html  # the way back
    response = client.post(url)
    assert response.status_code == 400
    html = response.content.decode()
    assert refusal in html and 'class="button-danger"' not in html
    world["meeting"].refresh_from_db()
    assert world["meeting"].cancelled_at is None
    # The other meeting of the list (no one present) keeps its link.
    other = services.meeting_schedule(
        circle=world["circle"],
        starts_at=timezone.now() - datetime.timedelta(days=1),
        mode="online",
        by=world["contact"],
    )
    page = client.get(circle_url).content.decode()
    assert _url("meeting_cancel", world["circle"].pk, other.pk) in page


def test_the_cancel_page_in_filipino(circles_world):
    world = circles_world
    client = client_for(world["contact"])
    url = _url("meeting_cancel", world["circle"].pk, world["meeting"].pk)
    with translation.override("fil"):
        day = date_time(timezone.localtime(world["meeting"].starts_at), "l j F Y")
    user = world["contact"]
    user.language = "fil"
    user.save(update_fields=["language"])
    html = client.get(url).content.decode()
    assert day in html
    assert world["meeting"].starts_at.strftime("%Y-%m-%d") not in html


def test_list_search_and_filter(circles_world):
    world = circles_world
    client = client_for(world["manager"])
    services.circle_update(
        circle=world["other"], by=world["manager"], ended_on=timezone.localdate()
    )
    page = client.get(_url("circles")).content.decode()
    assert "Bukang Liwayway" in page and "Takipsilim" not in page
    page = client.get(_url("circles"), {"state": "ended"}).content.decode()
    assert "Takipsilim" in page and "Bukang Liwayway" not in page
    page = client.get(_url("circles"), {"state": "all", "q": "takip"}).content.decode()
    assert "Takipsilim" in page and "Bukang Liwayway" not in page
    page = client.get(_url("circles"), {"state": "<bad>", "q": "\x00" + XSS, "page": "x"})
    assert page.status_code == 200 and XSS not in page.content.decode()
    # The staff contact sees her circle only.
    page = client_for(world["contact"]).get(_url("circles"), {"state": "all"}).content.decode()
    assert "Bukang Liwayway" in page and "Takipsilim" not in page


def _seed_circles(world, count):
    for n in range(count):
        circle = PeerCircle.objects.create(
            network=world["network"], name=f"Seeded {n:03d}", staff_contact=world["contact"]
        )
        CircleMembership.objects.create(circle=circle, consultant=world["amihan"])
        CircleMeeting.objects.create(
            circle=circle,
            starts_at=timezone.now() + datetime.timedelta(days=1),
            mode="online",
            created_by=world["contact"],
        )


def test_list_queries_stay_the_same_as_circles_grow(circles_world, django_assert_num_queries):
    world = circles_world
    client = client_for(world["manager"])
    client.get(_url("circles"))  # warm the caches a running server has
    with CaptureQueriesContext(connection) as small:
        assert client.get(_url("circles")).status_code == 200
    _seed_circles(world, 40)
    with django_assert_num_queries(len(small)):
        response = client.get(_url("circles"))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 42


def test_the_portal_shows_her_circle_only(circles_world):
    world = circles_world
    services.attendance_mark(
        meeting=world["meeting"], present={world["amihan"].pk}, by=world["contact"]
    )
    services.meeting_schedule(
        circle=world["circle"],
        starts_at=timezone.now() + datetime.timedelta(days=4),
        mode="online",
        by=world["contact"],
    )
    page = client_for(world["amihan"].user).get(reverse("my_circles:index")).content.decode()
    assert "Bukang Liwayway" in page and "Takipsilim" not in page
    assert "₱300.00" in page
    # Bayani chose to be seen by peers, as Amihan did; Dalisay did not.
    assert "Bayani" in page and "Dalisay" not in page and "Lakan" not in page
    assert world["amihan"].legal_name not in page
    # Dalisay did not choose it: she sees no one.
    page = client_for(world["dalisay"].user).get(reverse("my_circles:index")).content.decode()
    assert "Bukang Liwayway" in page and "Amihan" not in page and "Bayani" not in page
    # Lakan: his own circle.
    page = client_for(world["lakan"].user).get(reverse("my_circles:index")).content.decode()
    assert "Takipsilim" in page and "Bukang Liwayway" not in page


def test_the_portal_page_for_someone_in_no_circle(circles_world, consultant_user):
    response = client_for(consultant_user).get(reverse("my_circles:index"))
    assert response.status_code == 200
    assert "Bukang" not in response.content.decode()


def test_her_record_holds_her_circles_and_attendance_only(circles_world):
    from consultants.record import record_build, record_json

    world = circles_world
    services.attendance_mark(
        meeting=world["meeting"], present={world["amihan"].pk}, by=world["contact"]
    )
    sections = record_build(world["amihan"])
    section = next(s for s in sections if s.key == "peer_circles")
    flat = repr(record_json(sections, exported_at=timezone.now())["peer_circles"])
    assert "Bukang Liwayway" in flat and "300" in flat
    assert "Bayani" not in flat and "Takipsilim" not in flat and "Lakan" not in flat
    assert section is not None
