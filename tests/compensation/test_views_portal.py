"""Portal pages of compensation (/portal/pay/): the consultant's own
agreements, time, expenses, payments and statements. Bad input gets a
clear message on the form and nothing is saved; another consultant's
records are 404."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from compensation import services
from compensation.models import ExpenseClaim, Receipt, TimeEntry
from tests.compensation.factories import EXE, JPEG, PDF
from tests.compensation.pages import build_world
from tests.engagements.factories import ParticipationFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(owner, participation, agreement, make_user):
    return build_world(
        owner=owner, participation=participation, agreement=agreement, make_user=make_user
    )


def _time(world, **overrides):
    data = {
        "participation": world.participation.pk,
        "kind": "preparation",
        "date": world.day.isoformat(),
        "hours": "2.50",
        "note": "",
    }
    data.update(overrides)
    return data


def _claim(world, **overrides):
    data = {
        "participation": world.participation.pk,
        "category": "transport",
        "description": "Jeepney and tricycle",
        "amount": "85.50",
        "incurred_on": world.day.isoformat(),
    }
    data.update(overrides)
    return data


# --- Time ------------------------------------------------------------------------------


def test_add_time(world):
    client = client_for(world.consultant_user)
    page = client.get(reverse("my_pay:time_add"))
    assert page.status_code == 200
    # No script but safety.js (the exit shortcut; everything works without it).
    assert b"<script" not in page.content.replace(
        b'<script src="/static/js/safety.js" defer></script>', b""
    )
    response = client.post(reverse("my_pay:time_add"), _time(world))
    assert response["Location"] == reverse("my_pay:time")
    entry = TimeEntry.objects.latest("pk")
    assert (entry.hours, entry.entered_by) == (Decimal("2.50"), world.consultant_user)
    assert b"2.50 h" in client.get(reverse("my_pay:time")).content


# What a wrong number of hours reads, whatever was typed.
HOURS_PLAIN = (
    b"Please enter a number of hours from 0.01 to 24, with at most two decimals (like 1.25)."
)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("-2", HOURS_PLAIN),
        ("1.255", HOURS_PLAIN),
        ("25", HOURS_PLAIN),
        ("lots", HOURS_PLAIN),
        ("", b"Please fill this in."),
        # Hostile values get the same plain answer, and nothing is saved.
        ("NaN", HOURS_PLAIN),
        ("Infinity", HOURS_PLAIN),
        ("1e999", HOURS_PLAIN),
        ("9" * 5000, HOURS_PLAIN),
        ("<script>alert(1)</script>", HOURS_PLAIN),
        ("2\x00", HOURS_PLAIN),
    ],
)
def test_bad_hours_are_refused_clearly(world, hours, message):
    before = TimeEntry.objects.count()
    response = client_for(world.consultant_user).post(
        reverse("my_pay:time_add"), _time(world, hours=hours)
    )
    assert response.status_code == 400
    assert message in response.content
    assert TimeEntry.objects.count() == before


def test_a_day_has_at_most_24_hours(world):
    client = client_for(world.consultant_user)
    assert client.post(reverse("my_pay:time_add"), _time(world, hours="20")).status_code == 302
    response = client.post(reverse("my_pay:time_add"), _time(world, hours="4"))
    assert response.status_code == 400
    assert b"a day has at most 24 hours" in response.content


def test_time_on_another_consultants_participation_is_refused(world, owner):
    other = world.other_claim.participation
    before = TimeEntry.objects.count()
    response = client_for(world.consultant_user).post(
        reverse("my_pay:time_add"), _time(world, participation=other.pk)
    )
    assert response.status_code == 400
    assert b"Please choose one of the options shown." in response.content
    assert TimeEntry.objects.count() == before


def test_a_date_far_from_the_engagement_is_refused(world):
    far = world.day - datetime.timedelta(days=400)
    response = client_for(world.consultant_user).post(
        reverse("my_pay:time_add"), _time(world, date=far.isoformat())
    )
    assert response.status_code == 400
    assert b"too far" in response.content


def _field_error(response, field: str) -> str:
    """The errors shown next to ``field`` (Django's list with the id the
    control's aria-describedby names), and none at the top of the form."""
    form = response.context["form"]
    assert not form.non_field_errors(), form.non_field_errors()
    match = re.search(
        rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', response.text, re.S
    )
    assert match, f"no error next to {field}"
    return match.group(1)


def test_a_day_to_come_is_refused_next_to_the_date(world):
    future = timezone.localdate() + datetime.timedelta(days=3)
    before = TimeEntry.objects.count()
    response = client_for(world.consultant_user).post(
        reverse("my_pay:time_add"), _time(world, date=future.isoformat())
    )
    assert response.status_code == 400
    assert "This day has not come yet." in _field_error(response, "date")
    assert TimeEntry.objects.count() == before


# --- Claims and receipts ------------------------------------------------------------------


def test_claim_with_a_photo(world):
    client = client_for(world.consultant_user)
    data = _claim(world, receipt=SimpleUploadedFile("ride.jpg", JPEG, "image/jpeg"))
    response = client.post(reverse("my_pay:claim_add"), data)
    claim = ExpenseClaim.objects.latest("pk")
    assert response["Location"] == reverse("my_pay:claim", kwargs={"pk": claim.pk})
    assert claim.amount == Decimal("85.50")
    assert claim.receipts.get().kind == "jpg"
    page = client.get(reverse("my_pay:claims"))
    assert "₱85.50".encode() in page.content


def test_an_executable_renamed_jpg_is_refused(world):
    before = (ExpenseClaim.objects.count(), Receipt.objects.count())
    data = _claim(world, receipt=SimpleUploadedFile("receipt.jpg", EXE, "image/jpeg"))
    response = client_for(world.consultant_user).post(reverse("my_pay:claim_add"), data)
    assert response.status_code == 400
    assert b"must be a photo (JPEG or PNG) or a PDF" in response.content
    assert (ExpenseClaim.objects.count(), Receipt.objects.count()) == before


AMOUNT_PLAIN = b"Please enter an amount in pesos from 0.01 to 999,999,999.99, like 150.50."
AMOUNT_DIGITS = b"Please write the amount in digits only, like 1000 or 1000.50 (not 1e3)."


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "10.001"}, AMOUNT_PLAIN),
        ({"amount": "-5"}, AMOUNT_PLAIN),
        ({"amount": "0"}, AMOUNT_PLAIN),
        # Too large: the message gives the maximum (it once said "at least 0.01").
        ({"amount": "99999999999999"}, AMOUNT_PLAIN),
        ({"amount": "1000000000"}, AMOUNT_PLAIN),
        ({"amount": "NaN"}, AMOUNT_PLAIN),
        # Exponent notation is refused, not read as 1,000 pesos.
        ({"amount": "1e3"}, AMOUNT_DIGITS),
        ({"amount": "1E3"}, AMOUNT_DIGITS),
        ({"amount": "1e50"}, AMOUNT_DIGITS),
        ({"amount": "-1e-2"}, AMOUNT_DIGITS),
        ({"category": "other"}, b"This claim needs a receipt"),
        ({"category": "bribe"}, b"Please choose one of the options shown."),
        ({"description": ""}, b"Please fill this in."),
        ({"description": "x" * 301}, b"Please keep this to 300 characters or fewer."),
        ({"incurred_on": "yesterday"}, b"Please enter a date like 5 December 2026."),
        ({"incurred_on": "2026-02-30"}, b"Please enter a date like 5 December 2026."),
    ],
)
def test_bad_claims_are_refused(world, overrides, message):
    before = ExpenseClaim.objects.count()
    response = client_for(world.consultant_user).post(
        reverse("my_pay:claim_add"), _claim(world, **overrides)
    )
    assert response.status_code == 400
    assert message in response.content
    assert ExpenseClaim.objects.count() == before


def test_an_expense_date_to_come_is_refused_next_to_the_date(world):
    """The service names its argument ``date``; the form's field is
    ``incurred_on``: the message still sits next to it, not at the top."""
    future = timezone.localdate() + datetime.timedelta(days=3)
    before = ExpenseClaim.objects.count()
    response = client_for(world.consultant_user).post(
        reverse("my_pay:claim_add"), _claim(world, incurred_on=future.isoformat())
    )
    assert response.status_code == 400
    assert "This day has not come yet." in _field_error(response, "incurred_on")
    far = world.day - datetime.timedelta(days=400)
    response = client_for(world.consultant_user).post(
        reverse("my_pay:claim_add"), _claim(world, incurred_on=far.isoformat())
    )
    assert "too far" in _field_error(response, "incurred_on")
    assert ExpenseClaim.objects.count() == before


def test_add_a_receipt_later_checked_by_content(world):
    client = client_for(world.consultant_user)
    url = reverse("my_pay:claim", kwargs={"pk": world.claim.pk})
    response = client.post(url, {"file": SimpleUploadedFile("x.pdf", EXE, "application/pdf")})
    assert response.status_code == 400
    assert world.claim.receipts.count() == 1
    response = client.post(url, {"file": SimpleUploadedFile("x.pdf", PDF, "application/pdf")})
    assert response.status_code == 302
    assert world.claim.receipts.count() == 2


def test_own_receipt_download(world):
    response = client_for(world.consultant_user).get(
        reverse("my_pay:receipt", kwargs={"pk": world.receipt.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "lunch" not in response["Content-Disposition"]


def test_no_receipt_after_a_decision(world):
    services.claim_reject(claim=world.claim, by=world.owner, reason="Not a meal day")
    client = client_for(world.consultant_user)
    url = reverse("my_pay:claim", kwargs={"pk": world.claim.pk})
    page = client.get(url)
    assert b"Not a meal day" in page.content
    response = client.post(url, {"file": SimpleUploadedFile("x.pdf", PDF, "application/pdf")})
    assert response.status_code == 403
    assert world.claim.receipts.count() == 1


# --- Agreements, payments, statements ---------------------------------------------------------


def test_acknowledge_a_changed_agreement(world):
    changed = services.agreement_change(
        agreement=world.agreement,
        by=world.owner,
        change_note="More preparation",
        terms={"estimated_preparation_hours": Decimal("4.00")},
    )
    client = client_for(world.consultant_user)
    index = client.get(reverse("my_pay:index"))
    assert b"The terms changed" in index.content
    page = client.get(reverse("my_pay:agreement", kwargs={"pk": changed.pk}))
    assert b"More preparation" in page.content
    assert b"I have read the new terms" in page.content
    # The old version cannot be acknowledged instead.
    old = client.get(reverse("my_pay:agreement", kwargs={"pk": world.agreement.pk}))
    assert b"I have read the new terms" not in old.content

    response = client.post(reverse("my_pay:acknowledge", kwargs={"pk": changed.pk}))
    assert response.status_code == 302
    changed.refresh_from_db()
    assert changed.is_acknowledged
    again = client.post(reverse("my_pay:acknowledge", kwargs={"pk": changed.pk}), follow=True)
    assert b"already acknowledged" in again.content


def test_payments_and_statements(world):
    client = client_for(world.consultant_user)
    page = client.get(reverse("my_pay:payments"))
    assert f"₱{world.payment.total:,.2f}".encode() in page.content
    page = client.get(reverse("my_pay:statements"))
    assert f"{reverse('reports:list')}#request-consultant_statement".encode() in page.content


def _links(content: bytes) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"', content.decode())


def test_ask_for_a_statement_leads_to_the_request_form(world):
    """The button is a link (a GET): it must open the form, not the POST-only
    request URL (which answered 405)."""
    client = client_for(world.consultant_user)
    page = client.get(reverse("my_pay:statements"))
    button = re.search(
        r'<a class="button" href="([^"]+)">Ask for a statement</a>', page.content.decode()
    )
    assert button
    url, _, fragment = button.group(1).partition("#")
    response = client.get(url)
    assert response.status_code == 200
    assert f'id="{fragment}"'.encode() in response.content
    assert b'<form method="post"' in response.content


def test_no_link_on_the_pay_pages_answers_405(world):
    """Every link the consultant can follow from a pay page is a GET that the
    target answers (whatever else it says), never "method not allowed"."""
    client = client_for(world.consultant_user)
    pages = [
        reverse(f"my_pay:{name}")
        for name in ("index", "time", "time_add", "claims", "claim_add", "payments", "statements")
    ]
    pages += [
        reverse("my_pay:claim", kwargs={"pk": world.claim.pk}),
        reverse("my_pay:agreement", kwargs={"pk": world.agreement.pk}),
    ]
    # The quick exit signs the consultant out (by design): it is followed last.
    followed = {reverse("exit")}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for href in _links(response.content):
            url = href.partition("#")[0].replace("&amp;", "&")
            if not url.startswith("/") or url in followed:
                continue
            followed.add(url)
            assert client.get(url).status_code != 405, (page, url)
    assert reverse("reports:list") in followed
    assert client.get(reverse("exit")).status_code != 405


def test_a_participation_that_was_declined_is_not_offered(world, own_consultant, owner):
    from engagements.models import Participation
    from tests.helpers import past_engagement

    declined = ParticipationFactory(
        engagement=past_engagement(owner, days_ago=5),
        consultant=own_consultant,
        status=Participation.Status.DECLINED,
    )
    page = client_for(world.consultant_user).get(reverse("my_pay:time_add"))
    assert declined.engagement.title.encode() not in page.content


def test_engagement_choices_read_their_date_in_the_pages_language(world, owner):
    """ "16 Ene 2026" in Filipino, "16 Jan 2026" in English, on the day in
    Manila (7 in the morning there is still the 15th in UTC)."""
    from zoneinfo import ZoneInfo

    from engagements.models import Engagement, Participation
    from tests.engagements.factories import EngagementFactory

    start = datetime.datetime(2026, 1, 16, 7, 0, tzinfo=ZoneInfo("Asia/Manila"))
    ParticipationFactory(
        engagement=EngagementFactory(
            owner=owner,
            title="Committee hearing preparation",
            status=Engagement.Status.COMPLETED,
            start=start,
            end=start + datetime.timedelta(hours=3),
        ),
        consultant=world.participation.consultant,
        status=Participation.Status.ATTENDED,
    )
    user = world.consultant_user
    for language, label in [
        ("fil", "Committee hearing preparation (16 Ene 2026)"),
        ("en", "Committee hearing preparation (16 Jan 2026)"),
    ]:
        user.language = language
        user.save(update_fields=["language"])
        client = client_for(user)
        for name in ("my_pay:time_add", "my_pay:claim_add"):
            page = client.get(reverse(name)).content.decode()
            assert "<option" in page and label in page, (language, name)


def test_lists_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    """However many agreements, entries and claims: the same handful of queries."""
    client = client_for(world.consultant_user)
    client.get(reverse("my_pay:index"))  # the session settles
    for name in ("index", "time", "claims", "payments"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(f"my_pay:{name}")).status_code == 200
