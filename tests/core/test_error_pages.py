"""Refusals use Tinig's own pages, never Django's defaults."""

from __future__ import annotations

from tests.helpers import client_for


def template_names(response) -> list[str]:
    return [t.name for t in response.templates]


def test_404_is_our_page(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in template_names(response)
    assert "Page not found" in response.content.decode()


def test_403_is_our_page(consultant_user):
    response = client_for(consultant_user).get("/staff/")

    assert response.status_code == 403
    assert "403.html" in template_names(response)
    assert "not allowed" in response.content.decode()


def test_signed_in_without_a_role_gets_the_no_role_page(no_role_user):
    response = client_for(no_role_user).get("/")

    assert response.status_code == 403
    assert "errors/no_role.html" in template_names(response)


def test_error_pages_show_no_debug_detail(client, db):
    body = client.get("/no-such-page/").content.decode()

    assert "Traceback" not in body and "URLconf" not in body and "DEBUG" not in body
