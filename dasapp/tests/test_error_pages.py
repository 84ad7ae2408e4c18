"""Error pages: GOV.UK wording inside the service's layout, each with a way home."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import include, path

from dasapp import urls as root_urls
from dasapp.roles import Role


def _crash(request):
    raise RuntimeError("a bug with a secret in it")


urlpatterns = [
    path("test-crash/", _crash),
    path("", include("dasapp.urls")),
]
handler404 = root_urls.handler404
handler500 = root_urls.handler500


@pytest.fixture(autouse=True)
def _not_debug(settings):
    settings.DEBUG = False


def test_a_role_the_page_does_not_allow_gets_the_403_page(client_for):
    response = client_for(Role.DASO).get("/access-log/")  # supervisors only
    assert response.status_code == 403
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">You do not have access to this page</h1>' in html
    assert "ask your supervisor" in html
    assert 'href="/" data-testid="error-home-link"' in html
    assert "govuk-generic-header" in html  # the service's layout, not Django's bare page
    assert "Sign out" in html  # signed in: the header still lets them sign out


def test_an_unknown_address_gets_the_404_page(client_for):
    response = client_for(Role.DASO).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert 'href="/" data-testid="error-home-link"' in html
    assert "govuk-generic-header" in html


def test_the_404_page_works_signed_out(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Sign out" not in response.content


@pytest.mark.urls(__name__)
def test_a_crash_gets_the_500_page_without_details(client_for):
    c = client_for(Role.DASO)
    c.raise_request_exception = False
    response = c.get("/test-crash/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Sorry, there is a problem with the service</h1>' in html
    assert 'href="/" data-testid="error-home-link"' in html
    assert "Domestic abuse case management" in html
    assert "a secret" not in html


def test_the_500_page_renders_with_no_request_and_no_database():
    from django.test import RequestFactory

    from dasapp.views import server_error

    response = server_error(RequestFactory().get("/cases/1/"))  # no db fixture: no queries
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
