"""Safe on a shared phone: the session side of it.

* **Shared-phone sessions.** "This is a shared phone" on the sign-in page
  (``accounts.forms``) marks the session. Such a session ends after
  ``SHARED_PHONE_IDLE_SECONDS`` without a request (checked by
  ``SessionIdleTimeoutMiddleware`` against the moment of the last request,
  kept in the session), and its cookie ends when the browser closes. Pages
  then warn before the end (``static/js/safety.js``; without JavaScript a
  note on each page) and before each download.
* **The exit guard.** Leaving through "Exit this page" (``pages.safety``)
  sets a short-lived cookie; while it lasts, every Tinig page opened in
  that browser (Back, a reopened tab) redirects to ``EXIT_URL``
  (``ExitGuardMiddleware``), so Back shows nothing of Tinig.

Only names and small helpers live here, so that views, middleware and
forms agree on them; nothing here imports a domain app.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest

SHARED_PHONE_KEY = "tinig_shared_phone"
LAST_SEEN_KEY = "tinig_last_seen"
# Neutral on purpose: anyone who looks at the browser's cookies sees it.
EXIT_GUARD_COOKIE = "t_left"


def is_shared_phone(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SHARED_PHONE_KEY))


def mark_shared_phone(request: HttpRequest, shared: bool) -> None:
    """Called while signing in, before the session is renewed (its data is
    kept across the renewal)."""
    if shared:
        request.session[SHARED_PHONE_KEY] = True
    else:
        request.session.pop(SHARED_PHONE_KEY, None)


def idle_seconds_left(request: HttpRequest, *, now: float | None = None) -> float | None:
    """Seconds until a shared-phone session ends for lack of use; None for
    any other session (or before its first request was seen)."""
    if not is_shared_phone(request):
        return None
    last_seen = request.session.get(LAST_SEEN_KEY)
    if last_seen is None:
        return None
    now = time.time() if now is None else now
    return settings.SHARED_PHONE_IDLE_SECONDS - (now - float(last_seen))


def touch(request: HttpRequest) -> None:
    request.session[LAST_SEEN_KEY] = int(time.time())
