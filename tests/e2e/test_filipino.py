"""Filipino throughout, in a real browser on a 390x844 phone: a consultant
chooses Filipino on the sign-in page with the footer switcher and signs in
(the choice becomes her account's language); staff invite her; she opens the
invitation, says yes, steps back, withdraws her consent to photographs, and
asks for her record as a PDF, which a real worker prepares and she
downloads.

On every page: ``<html lang="fil">``, nothing wider than the screen (and
no box cutting its own content off, such as the tab strip), and no
English sentence (``tests/i18n_checks.py``) in what she sees or hears; the
PDF is read back and held to the same rule. Each page goes through
``Session.check`` too (console, CSP, axe) and is kept as
``test-artifacts/e2e/filipino-<step>.png``.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from consultants import services as consultant_services
from consultants.models import ConsentScope, ConsentText
from engagements import services, workflow
from engagements.models import Participation
from tests.accounts.factories import TEST_PASSWORD
from tests.consultants.factories import ConsultantFactory, WeeklyAvailabilityFactory, published_text
from tests.e2e.conftest import SCREENSHOTS, assert_tap_targets_are_large
from tests.e2e.test_friction import WIDEST
from tests.helpers import pdf_text
from tests.i18n_checks import PAGE_TEXT_SCRIPT, doubled_stops, english_sentences

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.pdf]

PHONE_390 = {"width": 390, "height": 844}
PSEUDONYM = "Liwayway"
TITLE = "Gawain sa Maynila"
# Her data, written as she or the team would in Filipino: nothing in it is
# ours to translate.
FILIPINO_CONSENT_TEXTS = {
    ConsentScope.PARTICIPATION: "Pumapayag akong sumali sa programa bilang bayad na consultant.",
    ConsentScope.DATA_PROCESSING: "Pumapayag akong itago ng Tinig ang mga detalye ko.",
    ConsentScope.PHOTO: "Pumapayag akong makunan ng litrato nang hindi kita ang mukha ko.",
}
GRANTED = tuple(FILIPINO_CONSENT_TEXTS)
# Data values shown on her pages and in her record, not ours to translate.
ALLOW = [TITLE, PSEUDONYM, *FILIPINO_CONSENT_TEXTS.values()]


def _filipino_consent_texts() -> None:
    """A Filipino text for each scope she consents to, as the newest
    published version (a migration may have published a first one)."""
    for scope, body in FILIPINO_CONSENT_TEXTS.items():
        latest = ConsentText.objects.filter(scope=scope).order_by("-version").first()
        version = (latest.version + 1) if latest else 1
        published_text(scope, version=version, body=f"Text for {scope}", filipino=body)


def _seed(make_user):
    _filipino_consent_texts()
    people = {
        "staff": make_user(Role.PROGRAMME_STAFF, display_name="Rosa Staff"),
        "manager": make_user(Role.PROGRAMME_MANAGER, display_name="Mario Manager"),
        # English to begin with: she chooses Filipino on the sign-in page.
        "user": make_user(Role.CONSULTANT, display_name=PSEUDONYM, language="en"),
    }
    consultant = ConsultantFactory(
        pseudonym=PSEUDONYM,
        user=people["user"],
        legal_name="Maria Lihim Santos",
        message_name="Maria",
        address="12 Kalye Mabini, Quezon City",
        support_person_name="Josefa Santos",
        support_person_relation="Tiya",
        preferred_languages=["fil"],
    )
    for weekday in range(7):
        WeeklyAvailabilityFactory(
            consultant=consultant,
            weekday=weekday,
            start_time=datetime.time(8),
            end_time=datetime.time(18),
        )
    for scope in GRANTED:
        consultant_services.consent_grant(consultant=consultant, scope=scope, by=people["manager"])
    people["consultant"] = consultant
    return people


def _staffing_engagement(people):
    day = timezone.localdate() + datetime.timedelta(days=9)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    engagement = services.engagement_create(
        by=people["staff"],
        data={
            "title": TITLE,
            "type": "peer_support",
            "purpose": "Pakinggan kung ano ang nakakatulong.",
            "expected_contribution": "Sumali sa usapan.",
            "start": start,
            "end": start + datetime.timedelta(hours=2),
            "mode": "online",
            "online_link": "https://meet.example.org/maynila",
            "audience": "internal",
        },
    )
    for name, by in [
        ("submit", people["staff"]),
        ("approve", people["manager"]),
        ("start_staffing", people["staff"]),
    ]:
        workflow.engagement_transition(engagement=engagement, name=name, by=by)
    return engagement


# Boxes that cut their own content off: a tab strip or a button whose label
# runs past its edge (the page itself may fit: the box scrolls or hides it).
# Text for screen readers only is a 1px box on purpose.
CLIPPED = """() => [...document.querySelectorAll("body *")]
  .filter((el) => el.getClientRects().length && el.clientWidth > 1
                  && ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(el).overflowX)
                  && el.scrollWidth > el.clientWidth + 1)
  .map((el) => `${el.outerHTML.replace(/\\s+/g, " ").slice(0, 100)} ` +
               `(${el.scrollWidth}px in ${el.clientWidth}px)`)"""


class Pages:
    """Looks at each page she reaches: ``Session.check`` (which keeps the
    screenshot), then the rules of a Filipino page (its lang, its width,
    nothing cut off, no English sentence, no doubled stop after a time),
    whose failures are gathered so that one run names every page and every
    sentence at fault. ``allow``: data values on that page only."""

    def __init__(self, session):
        self.session = session
        self.page = session.page
        self.faults: list[str] = []

    def look(self, step: str, *, allow=(), accessible: bool = True) -> None:
        name = f"filipino-{step}"
        if accessible:
            self.session.check(name)
        else:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        page = self.page
        lang = page.locator("html").get_attribute("lang")
        if lang != "fil":
            self.faults.append(f"{step}: <html lang={lang!r}>")
        width = PHONE_390["width"]
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        if scroll > width:
            widest = page.evaluate(WIDEST, width)
            self.faults.append(f"{step}: {scroll}px wide at {width}px; widest: {widest}")
        for box in page.evaluate(CLIPPED):
            self.faults.append(f"{step}: cut off: {box}")
        text = page.evaluate(PAGE_TEXT_SCRIPT)
        (SCREENSHOTS / f"{name}.txt").write_text(text)  # what was read, for review
        for sentence in english_sentences(text, allow=[*ALLOW, *allow]):
            self.faults.append(f"{step}: English: {sentence!r}")
        for line in doubled_stops(text):
            self.faults.append(f"{step}: a doubled stop: {line!r}")


def test_a_consultant_in_filipino_from_sign_in_to_her_record(
    open_session, celery_worker, make_user, mailoutbox, settings
):
    # Whatever the hour the suite runs at: no quiet hours for the invitation.
    settings.REMINDERS_QUIET_START = settings.REMINDERS_QUIET_END = "00:00"
    people = _seed(make_user)
    user = people["user"]
    session = open_session(PHONE_390)
    page = session.page
    pages = Pages(session)

    # --- 1. Signed out, in English; she chooses Filipino in the footer ---------------------
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("fil")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "fil")
    expect(page.locator("#language-select")).to_have_value("fil")
    expect(page.locator("#language-select option:checked")).to_have_text("Filipino")
    pages.look("sign-in")

    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Mag-sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    user.refresh_from_db()
    assert user.language == "fil"  # the choice made before signing in is hers now
    pages.look("portal-home")

    # --- 2. Staff invite her; she opens the invitation and says yes -------------------------
    engagement = _staffing_engagement(people)
    participation = services.participation_invite(
        engagement=engagement,
        consultant=people["consultant"],
        role="participant",
        by=people["staff"],
    )
    told = [message for message in mailoutbox if message.to == [people["consultant"].email]]
    assert len(told) == 1, [message.subject for message in mailoutbox]
    assert not english_sentences(f"{told[0].subject}\n{told[0].body}", allow=ALLOW)
    assert "imbitasyon" in told[0].subject.lower()
    invitation = f"/portal/engagements/{participation.pk}/"
    assert invitation in told[0].body

    page.goto(invitation)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    pages.look("invitation")
    assert_tap_targets_are_large(page)
    page.get_by_role("button", name="Oo, sasali ako").click()
    expect(page.get_by_role("status")).to_be_visible()
    pages.look("accepted")
    participation.refresh_from_db()
    assert participation.status == Participation.Status.ACCEPTED

    # --- She steps back (a confirmation page first) -------------------------------------------
    page.get_by_role("link", name="Umatras").click()
    expect(page.get_by_role("button", name="Oo, aatras ako")).to_be_visible()
    pages.look("step-back")
    assert_tap_targets_are_large(page)
    page.get_by_role("button", name="Oo, aatras ako").click()
    expect(page.get_by_role("status")).to_be_visible()
    pages.look("stepped-back")
    participation.refresh_from_db()
    assert participation.status == Participation.Status.WITHDRAWN

    # --- She withdraws her consent to photographs ------------------------------------------------
    page.goto("/portal/me/consent/")
    pages.look("consent")
    page.locator(f"a[href$='/consent/{ConsentScope.PHOTO}/withdraw/']").click()
    pages.look("consent-withdraw")
    assert_tap_targets_are_large(page)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    pages.look("consent-withdrawn")

    # --- She asks for her record as a PDF and downloads it ---------------------------------------
    page.goto("/portal/me/my-record/")
    pages.look("record")
    page.get_by_role("button", name="Ihanda ang PDF").click()
    expect(page).to_have_url(re.compile(r"/reports/[0-9a-f-]+/$"))
    # The progress page refreshes itself (a known axe finding of that page,
    # checked by the reports app's own tests): a screenshot, the rules, no axe.
    pages.look("record-preparing", accessible=False)
    ready = page.get_by_role("link", name="I-download ang PDF")
    expect(ready).to_be_visible(timeout=90_000)
    pages.look("record-ready")
    with page.expect_download() as download_info:
        ready.click()
    content = download_info.value.path().read_bytes()
    assert content.startswith(b"%PDF-")
    (SCREENSHOTS / "filipino-record.pdf").write_bytes(content)
    text = pdf_text(content)
    (SCREENSHOTS / "filipino-record.pdf.txt").write_text(text)
    assert PSEUDONYM in text
    assert "pahintulot" in text.lower()
    for sentence in english_sentences(text, allow=[*ALLOW, "Maria Lihim Santos"]):
        pages.faults.append(f"record PDF: English: {sentence!r}")
    for line in doubled_stops(text):
        pages.faults.append(f"record PDF: a doubled stop: {line!r}")

    assert not pages.faults, "\n".join(pages.faults)
