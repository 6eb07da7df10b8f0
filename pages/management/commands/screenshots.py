"""Take the README's pictures of a running Tinig with its demo data.

    ./tinig run                       # in one terminal (demo data, worker)
    ./tinig manage screenshots        # in another, same environment

Three files land in ``docs/screenshots/``: the staff dashboard at a desk's
width, the portal home on a phone, and the first page of a programme report
PDF. The pages are signed in through the real sign-in forms (the staff
account with its demo authenticator), so what the picture shows is what a
person sees. The PDF is made on the same path as any document a person
uses: requested as a manager would and rendered by the running worker; `pdftoppm`
(poppler-utils) turns its first page into a PNG.

Only the invented demo people appear: run it against demo data, never
against a real programme's database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from playwright.sync_api import ViewportSize

DESK = ViewportSize(width=1280, height=860)
PHONE = ViewportSize(width=390, height=844)
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


class Command(BaseCommand):
    help = "Take the README's screenshots of a running Tinig with its demo data."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs" / "screenshots"))

    def handle(self, *args, url: str, out: str, **options):
        from accounts.demo import DEMO_PASSWORD, demo_user, totp_secret

        if not CHROMIUM.exists():
            raise CommandError(f"Chromium is needed at {CHROMIUM} (apt-get install chromium).")
        if shutil.which("pdftoppm") is None:
            raise CommandError("pdftoppm is needed (apt-get install poppler-utils).")
        manager = demo_user("manager@example.org")
        consultant = demo_user("consultant@example.org")
        if manager is None or consultant is None:
            raise CommandError("No demo data here: run `./tinig run` (or seed_demo) first.")
        # Read now: Playwright's sync API runs an event loop, inside which
        # Django refuses database queries.
        manager_secret = totp_secret(manager) or ""
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)

        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
            try:
                desk = browser.new_context(base_url=url, viewport=DESK, locale="en-PH")
                page = desk.new_page()
                self._sign_in(page, "manager@example.org", DEMO_PASSWORD)
                page.get_by_label("Code").fill(_totp_code(manager_secret))
                page.get_by_role("button", name="Sign In").click()
                page.wait_for_url("**/staff/")
                page.screenshot(path=str(folder / "staff-dashboard.png"), full_page=False)
                desk.close()

                phone = browser.new_context(
                    base_url=url,
                    viewport=PHONE,
                    device_scale_factor=2,
                    is_mobile=True,
                    has_touch=True,
                    locale="en-PH",
                )
                page = phone.new_page()
                self._sign_in(page, "consultant@example.org", DEMO_PASSWORD)
                page.wait_for_url("**/portal/")
                page.screenshot(path=str(folder / "portal-home-phone.png"))
                phone.close()
            finally:
                browser.close()

        self._programme_report(manager, folder / "programme-report.png")
        for name in ("staff-dashboard.png", "portal-home-phone.png", "programme-report.png"):
            self.stdout.write(f"{folder / name}")

    @staticmethod
    def _sign_in(page, email: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()

    @staticmethod
    def _programme_report(user, png: Path) -> None:
        """The last twelve months of the demo programme, first page only:
        requested as a manager would, rendered by the running worker."""
        from reports.models import ReportJob
        from reports.services import report_open, report_request

        today = timezone.localdate()
        job = report_request(
            user=user,
            kind="programme_report",
            params={"date_from": today - timedelta(days=364), "date_to": today},
            language="en",
        )
        deadline = time.monotonic() + 180
        while job.status not in (ReportJob.Status.READY, ReportJob.Status.FAILED):
            if time.monotonic() > deadline:
                raise CommandError(
                    "The worker did not render the report in 3 minutes: is it running?"
                )
            time.sleep(1)
            job.refresh_from_db()
        if job.status != ReportJob.Status.READY:
            raise CommandError("The programme report failed to render: see the worker's log.")
        pdftoppm = shutil.which("pdftoppm") or "pdftoppm"
        with tempfile.TemporaryDirectory() as scratch, report_open(job=job, by=user) as handle:
            source = Path(scratch) / "report.pdf"
            source.write_bytes(handle.read())
            subprocess.run(  # noqa: S603 (fixed arguments, our own file)
                [
                    pdftoppm,
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(source),
                    str(png.with_suffix("")),
                ],
                check=True,
            )


def _totp_code(secret: str) -> str:
    """The current code of a TOTP secret, with a few seconds still to run
    (allauth accepts only the current 30-second window)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
