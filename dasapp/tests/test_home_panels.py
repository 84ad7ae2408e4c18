"""The home page is a frame of panels the apps register: a panel shows for the roles it
names, in its place, and an app adds one without touching the kernel."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from dasapp import home
from dasapp.roles import Role


@pytest.fixture
def panels(monkeypatch):
    """The registered panels, restored after the test (registering adds to them)."""
    home.home_panels()  # every app's panels found first
    monkeypatch.setattr(home, "_panels", list(home._panels))
    return home


def titles(body: str) -> list[str]:
    return re.findall(r'<h2 class="govuk-heading-m" id="section-\d+">([^<]*)</h2>', body)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_panel_registered_for_a_role_shows_for_that_role_only(panels, persona):
    @panels.register_home_panel(roles={Role.INVESTIGATOR}, order=panels.ACROSS_ROLES + 5)
    def open_investigations(user, context):
        return home.HomeSection(
            "Open investigations",
            "You have no open investigations.",
            items=[{"text": f"Held by {user.username}", "url": "/investigations/"}],
        )

    investigator = persona(Role.INVESTIGATOR, "cru", username="inv")
    body = signed_in(investigator).get("/").content.decode()
    assert '<a class="govuk-link" href="/investigations/">Held by inv</a>' in body
    daso_body = signed_in(persona(Role.DASO, "cru")).get("/").content.decode()
    assert "Open investigations" not in daso_body


def test_panels_take_their_place_by_order_and_one_returning_none_shows_nothing(panels, persona):
    @panels.register_home_panel(roles={Role.DASO}, order=panels.role_order(Role.DASO, 15))
    def between(user, context):
        return home.HomeSection("Between caseload and actions", "Nothing here.")

    @panels.register_home_panel(roles=None, order=panels.ACROSS_ROLES + 1)
    def nothing(user, context):
        return None

    body = signed_in(persona(Role.DASO, "cru")).get("/").content.decode()
    assert titles(body) == [
        "My queues",
        "My caseload",
        "Between caseload and actions",
        "Safety-plan actions due",
    ]


def test_a_panel_is_given_the_users_roles_and_the_time_of_the_page(panels, persona):
    seen = []

    @panels.register_home_panel(roles=None, order=panels.ACROSS_ROLES + 1)
    def spy(user, context):
        seen.append(context)
        return None

    user = persona(Role.OFFICER)
    assert home.home_sections(user)
    assert [context.names for context in seen] == [frozenset({Role.OFFICER})]
    assert seen[0].now is not None


def test_someone_holding_two_roles_sees_each_roles_panels_together_in_role_order(persona):
    from django.contrib.auth.models import Group

    user = persona(Role.DASO, "cru")
    user.groups.add(Group.objects.get(name=Role.RESEARCHER))
    user = type(user).objects.get(pk=user.pk)  # its roles are read afresh
    assert [section.title for section in home.home_sections(user)] == [
        "Standard-risk DV1s to check",  # the researcher's, as Researcher comes before DASO
        "My caseload",
        "My queues",  # then the DASO's
        "My caseload",
        "Safety-plan actions due",
    ]


def test_every_role_has_its_own_band_of_places_in_role_order():
    places = [home.role_order(role) for role in Role.values]
    assert places == sorted(places)
    assert places[0] > 0 and places[-1] + 99 < home.ACROSS_ROLES
