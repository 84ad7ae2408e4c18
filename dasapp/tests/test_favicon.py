"""/favicon.ico, which browsers ask for whatever a page links, finds the service's icon."""

from __future__ import annotations

import pytest
from django.test import Client

from dasapp.roles import Role


@pytest.mark.django_db
def test_favicon_ico_sends_the_browser_to_the_icon_the_pages_link(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].startswith("/static/app/favicon")
    page = client.get("/account/sign-in/").content.decode()
    assert 'rel="icon"' in page and "/static/app/favicon" in page


def test_favicon_ico_is_not_held_back_by_the_two_factor_step(persona):
    """A supervisor signed in but yet to give a code is sent to the icon, not the code
    page."""
    client = Client()
    client.force_login(persona(Role.SUPERVISOR))
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].startswith("/static/app/favicon")
