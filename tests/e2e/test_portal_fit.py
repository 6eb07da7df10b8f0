"""The portal on the narrowest phones people use (360 and 390 px wide), in
English, the widest of its languages: the four tabs fit the screen with
the active one bold, and the links that act on one of her reflections
("Change", "Delete") are 44 px tall, not a line of small text."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from network.services.growth import reflection_add
from tests.consultants.factories import ConsultantFactory
from tests.e2e.test_sign_in import sign_in_with_password

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [360, 390])
def test_the_four_tabs_fit_a_narrow_phone(open_session, make_user, width):
    user = make_user(Role.CONSULTANT, display_name="Tala")
    consultant = ConsultantFactory(pseudonym="Tala", user=user)
    reflection_add(consultant=consultant, by=user, body="I spoke first.", shared_with_team=False)
    session = open_session({"width": width, "height": 800})
    page = session.page
    sign_in_with_password(session, user.email)
    page.goto("/portal/growth/")  # under Engagements: that tab is the bold one
    session.check(f"portal-tabs-{width}")
    tabs = page.evaluate(
        """() => [...document.querySelectorAll('.tab-nav a')].map(
              (a) => [a.textContent.trim(), a.getBoundingClientRect().right])"""
    )
    assert [name for name, _right in tabs] == ["Home", "Engagements", "Pay", "About you"]
    assert all(right <= width for _name, right in tabs), tabs
    scrolls = page.evaluate(
        "() => { const ul = document.querySelector('.tab-nav ul');"
        " return ul.scrollWidth - ul.clientWidth; }"
    )
    assert scrolls <= 0, f"the tab bar scrolls by {scrolls}px"
    for name in ("Change", "Delete"):
        box = page.get_by_role("link", name=name, exact=True).bounding_box()
        assert box is not None and box["height"] >= 44, (name, box)
