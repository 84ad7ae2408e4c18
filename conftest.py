"""Shared test fixtures: named personas, clients signed in as them, and query limits.

Personas follow the house style: the person doing the job, a colleague in the same
unit, and an outsider from another agency who must be refused.
"""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _settings_for_tests(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = True


@pytest.fixture
def org(db):
    from django.core.management import call_command

    call_command("load_org_defaults", verbosity=0, stdout=_Null())
    from org.models import Force

    return Force.objects.get()


class _Null:
    def write(self, *_):
        pass

    def flush(self):
        pass


def make_user(username: str, role: str | None, team: str | None = None, **extra):
    from org.services import user_provision

    user, _ = user_provision(
        username=username,
        roles=[role] if role else [],
        team_code=team,
        password="Correct-Horse-Battery-9",
        **extra,
    )
    return user


@pytest.fixture
def persona(org):
    """Factory: persona("daso", team="cru") -> a user holding that role."""
    counter = {"n": 0}

    def _make(role: str | None, team: str | None = None, username: str | None = None, **extra):
        counter["n"] += 1
        return make_user(username or f"{role or 'norole'}-{counter['n']}", role, team, **extra)

    return _make


@pytest.fixture
def client_for(client, persona):
    """Factory: a test client signed in as a new user with `role` (two-factor satisfied)."""

    def _client(role: str | None, team: str | None = None, **extra):
        from django.test import Client

        user = persona(role, team, **extra)
        c = Client()
        c.force_login(user)
        if role in settings.TWO_FACTOR_REQUIRED_ROLES:
            verify_two_factor(c, user)
        c.user = user
        return c

    return _client


def verify_two_factor(client, user):
    """Give `user` a confirmed authenticator and sign `client` in through it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from demo.management.commands.seed_demo import current_code

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Test", defaults={"confirmed": True}
    )
    response = client.post("/account/two-factor/verify/", {"token": current_code(device)})
    assert response.status_code == 302, response.content[:500]
    return device
