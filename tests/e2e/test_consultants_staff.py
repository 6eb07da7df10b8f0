"""A programme manager finds a consultant and reveals their legal name, in a
real browser, at desk size and at phone size. Every page is checked by
``Session.check`` (CSP, console, axe) and screenshotted."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from playwright.sync_api import expect

from accounts.roles import Role
from consultants.models import ExpertiseTopic, Language
from tests.accounts.factories import TEST_TOTP_SECRET
from tests.consultants.factories import ConsultantFactory, WeeklyAvailabilityFactory
from tests.e2e.conftest import PHONE_VIEWPORT, STAFF_VIEWPORT, fresh_totp_code
from tests.e2e.test_sign_in import sign_in_with_password

pytestmark = pytest.mark.e2e


def _sign_in_manager(session, manager):
    sign_in_with_password(session, manager.email)
    session.page.get_by_label("Code").fill(fresh_totp_code(TEST_TOTP_SECRET))
    session.page.get_by_role("button", name="Sign In").click()
    expect(session.page).to_have_url(re.compile(r"/staff/$"))


def _people():
    # transactional_db empties the tables between tests, seeded topics too.
    topic, _ = ExpertiseTopic.objects.get_or_create(
        slug="public-speaking", defaults={"name": "Public speaking"}
    )
    amihan = ConsultantFactory(
        pseudonym="Amihan",
        legal_name="Invented Legal Person",
        spoken_languages=[Language.CEBUANO, Language.ENGLISH],
        preferred_languages=[Language.CEBUANO],
        expertise=[topic],
        public_bio="Youth advocate who co-designs training for frontline workers.",
    )
    WeeklyAvailabilityFactory(consultant=amihan, weekday=5)
    ConsultantFactory(pseudonym="Amado", spoken_languages=[Language.FILIPINO])
    for name in ("Bituin", "Dalisay", "Hiraya", "Liwayway", "Marikit", "Tala"):
        ConsultantFactory(pseudonym=name, expertise=[topic])
    return amihan


@pytest.mark.parametrize("viewport", [STAFF_VIEWPORT, PHONE_VIEWPORT], ids=["desk", "phone"])
def test_manager_finds_a_consultant_and_reveals_the_legal_name(open_session, make_user, viewport):
    manager = make_user(Role.PROGRAMME_MANAGER, display_name="Mina Manager")
    amihan = _people()
    size = "desk" if viewport is STAFF_VIEWPORT else "phone"
    session = open_session(viewport)
    page = session.page
    _sign_in_manager(session, manager)

    page.get_by_role("navigation", name="Staff site").get_by_role(
        "link", name="Consultants"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultants")
    expect(page.get_by_text("8 consultants")).to_be_visible()
    session.check(f"consultants-directory-{size}")

    search = page.get_by_role("search", name="Find consultants")
    search.get_by_label("Pseudonym").fill("ami")
    search.get_by_label("Language").select_option(label="Cebuano")
    search.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 consultant", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Amado")).to_have_count(0)
    session.check(f"consultants-directory-filtered-{size}")

    page.get_by_role("link", name="Amihan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amihan")
    expect(page.get_by_text("Invented Legal Person")).to_have_count(0)
    session.check(f"consultants-detail-{size}")

    identity = page.locator("#reveal-identity")
    identity.get_by_role("button", name="Reveal").click()  # no reason yet: the browser asks
    expect(page.get_by_text("Invented Legal Person")).to_have_count(0)
    identity.get_by_label("Why do you need to see it?").fill("Preparing the travel booking")
    identity.get_by_role("button", name="Reveal").click()
    expect(page.locator("#reveal-identity").get_by_text("Invented Legal Person")).to_be_visible()
    session.check(f"consultants-detail-revealed-{size}")

    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_pk=str(amihan.pk))
    assert entry.actor_id == manager.pk
    assert entry.additional_data["reason"] == "Preparing the travel booking"

    # Back on the profile, it is hidden again.
    page.goto(f"/staff/consultants/{amihan.pk}/")
    expect(page.get_by_text("Invented Legal Person")).to_have_count(0)


def test_the_other_staff_pages_are_clean_and_accessible(open_session, make_user):
    """Edit, status, availability, consent and invitation pages, as the manager sees them."""
    manager = make_user(Role.PROGRAMME_MANAGER, display_name="Mina Manager")
    amihan = _people()
    session = open_session(STAFF_VIEWPORT)
    page = session.page
    _sign_in_manager(session, manager)

    for path, name, heading in [
        ("/staff/consultants/new/", "consultants-create", "New consultant"),
        (f"/staff/consultants/{amihan.pk}/edit/", "consultants-edit", "Edit profile"),
        (f"/staff/consultants/{amihan.pk}/status/", "consultants-status", "Change status"),
        (f"/staff/consultants/{amihan.pk}/availability/", "consultants-availability", None),
        (f"/staff/consultants/{amihan.pk}/consent/", "consultants-consent", "Consent"),
        (f"/staff/consultants/{amihan.pk}/invite/", "consultants-invite", None),
    ]:
        page.goto(path)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        session.check(name)

    # A form sent back with errors is accessible too.
    page.goto("/staff/consultants/new/")
    page.get_by_label("Pseudonym").fill("amihan")
    page.get_by_label("Mobile number").fill("12345")
    page.get_by_role("button", name="Add the consultant").click()
    expect(page.get_by_text("This pseudonym is already in use.")).to_be_visible()
    session.check("consultants-create-errors", status=400)
