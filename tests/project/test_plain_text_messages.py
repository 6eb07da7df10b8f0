"""Plain-text parts of messages (e-mail subjects and bodies, SMS) come out as
typed: a name holding ``<>&'"`` is not HTML-escaped in text nobody reads as
HTML. Every text template is found by its path, so a new one is covered;
each is rendered the way the senders render it (``accounts.plain_text``)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation

from accounts.plain_text import render_text

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = 'O\'Brien & "Jo" <b>'
ESCAPES = ("&lt;", "&gt;", "&amp;", "&#x27;", "&#39;", "&quot;")
# Variables that hold text (names, addresses, links): each must come out as typed.
TEXT_VARIABLES = {
    "greeting", "name", "pseudonym", "url", "preferences_url", "venue", "online_link",
    "support_person", "set_password_url", "sign_in_url", "user", "email", "item",
}  # fmt: skip


def _message_templates() -> list[str]:
    """Every ``.txt`` template of an app or of the project's ``templates/``
    (allauth's overrides) that is a message part: under ``emails/``,
    ``email/`` or ``reminders/``. ``account/messages/`` are allauth's page
    messages, shown (and escaped) in HTML, so they are not among them."""
    found = []
    for path in sorted(ROOT.glob("**/templates/**/*.txt")):
        if ".venv" in path.parts:
            continue
        relative = path.relative_to(ROOT).parts
        name = "/".join(relative[relative.index("templates") + 1 :])
        if {"emails", "email", "reminders"} & set(name.split("/")[:-1]):
            found.append(name)
    return found


class _Anything(dict):
    """A context in which any variable not set holds the hostile text."""

    def __contains__(self, key):
        return True

    def __missing__(self, key):
        return HOSTILE


class _Hostile(str):
    """The hostile text, whose every attribute (``user.display_name``) is
    the hostile text too."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return _Hostile(HOSTILE)


def _context() -> _Anything:
    when = timezone.make_aware(dt.datetime(2026, 12, 5, 16, 41))
    context = _Anything(
        {name: _Hostile(HOSTILE) for name in TEXT_VARIABLES}
        | {"items": [{"subject": HOSTILE, "url": HOSTILE}], "online": True}
    )
    for name in ("start", "end", "due", "since", "month", "invited_at", "ended", "expires",
                 "paid_at", "due_on", "expires_at"):  # fmt: skip
        context[name] = when
    for name in ("count", "blocking", "valid_days", "target_days"):
        context[name] = 2
    return context


def test_the_templates_are_found():
    templates = _message_templates()
    assert "accounts/emails/staff_invitation-body.txt" in templates
    assert "reminders/emails/engagement_upcoming-sms.txt" in templates
    assert len(templates) >= 60
    assert not any("messages/" in name for name in templates)


@pytest.mark.parametrize("language", ["en", "fil"])
@pytest.mark.parametrize("template", _message_templates())
def test_text_comes_out_as_typed(template, language):
    source = (
        next(ROOT.glob(f"*/templates/{template}"), None) or ROOT / "templates" / template
    ).read_text()
    with translation.override(language):
        text = render_text(template, _context())

    assert not any(escape in text for escape in ESCAPES), text
    # Variables printed ({{ x }}) or passed to a blocktranslate (with a=x).
    used = {name for pair in re.findall(r"\{\{\s*(\w+)|=(\w+)", source) for name in pair}
    if used & TEXT_VARIABLES:
        assert HOSTILE in text


def test_render_text_is_not_marked_safe_for_html():
    """Shown later on a page (a consultant's record shows subjects), it is
    escaped there, once."""
    from django.template import Context, Template

    text = render_text("accounts/emails/staff_invitation-body.txt", _context())
    page = Template("{{ text }}").render(Context({"text": text}))
    assert "O&#x27;Brien &amp; &quot;Jo&quot; &lt;b&gt;" in page


def test_the_html_part_of_an_e_mail_stays_escaped():
    from core.emails import render_templated

    _subject, text, html = render_templated(
        "consultants/emails/portal_invitation",
        {"name": HOSTILE, "set_password_url": "https://x/", "sign_in_url": "https://y/",
         "valid_days": 3},
    )  # fmt: skip
    assert f"Hello {HOSTILE}," in text
    assert HOSTILE not in html
    assert "O&#x27;Brien &amp; &quot;Jo&quot; &lt;b&gt;" in html


def _html_parts() -> list[str]:
    """The HTML part beside each text body (``-body.html``), where there is one."""
    return [
        name.replace("-body.txt", "-body.html")
        for name in _message_templates()
        if name.endswith("-body.txt")
        and next(ROOT.glob(f"*/templates/{name.replace('-body.txt', '-body.html')}"), None)
    ]


@pytest.mark.parametrize("template", _message_templates() + _html_parts())
def test_no_double_full_stop_after_a_time(template):
    """Filipino writes an afternoon time "4:41 n.h.", ending in a dot: a
    sentence must not end right after a time, or it reads "4:41 n.h.."."""
    from django.template.loader import render_to_string

    with translation.override("fil"):
        context = _context()
        text = (
            render_to_string(template, dict(context))
            if template.endswith(".html")
            else render_text(template, context)
        )
    assert ".." not in text, text


def test_the_afternoon_is_written_with_a_dot_in_filipino():
    """What the test above guards against is real."""
    with translation.override("fil"):
        text = render_text("accounts/emails/staff_invitation-body.txt", _context())
    assert "4:41 n.h.," in text
