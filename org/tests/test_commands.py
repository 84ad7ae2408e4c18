"""`manage.py create_user` provisions an account whose printed token works on the API."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from dasapp.models import User


def create_user(*args: str) -> str:
    out = io.StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue().strip()


def test_create_user_prints_a_token_that_authenticates(org):
    key = create_user("cad-bridge", "--role", "call_taker")
    assert len(key) == 40 and key.isalnum()
    response = Client(headers={"Authorization": f"Token {key}"}).get("/api/v1/")
    assert response.status_code == 200
    user = User.objects.get(username="cad-bridge")
    assert list(user.groups.values_list("name", flat=True)) == ["call_taker"]
    assert not user.has_usable_password()


def test_create_user_sets_the_team_and_several_roles(org):
    create_user("hub-lead", "--role", "daso", "--role", "supervisor", "--team", "cru")
    user = User.objects.get(username="hub-lead")
    assert set(user.groups.values_list("name", flat=True)) == {"daso", "supervisor"}
    assert user.profile.team.code == "cru"


def test_running_it_again_keeps_the_token_and_replaces_the_roles(org):
    first = create_user("partner-feed", "--role", "partner")
    second = create_user("partner-feed", "--role", "idva")
    assert first == second
    user = User.objects.get(username="partner-feed")
    assert list(user.groups.values_list("name", flat=True)) == ["idva"]


def test_supervisor_token_works_without_two_factor(org):
    key = create_user("audit-script", "--role", "supervisor")
    response = Client(headers={"Authorization": f"Token {key}"}).get("/api/v1/")
    assert response.status_code == 200


def test_an_unknown_role_is_refused_naming_the_choices(org):
    with pytest.raises(CommandError) as error:
        create_user("someone", "--role", "wizard")
    message = str(error.value)
    assert "wizard" in message
    assert "call_taker" in message and "supervisor" in message
    assert not User.objects.filter(username="someone").exists()


def test_an_unknown_team_is_refused_clearly(org):
    with pytest.raises(CommandError, match="No team has the code 'atlantis'"):
        create_user("someone", "--role", "daso", "--team", "atlantis")
    assert not User.objects.filter(username="someone").exists()


def test_a_role_is_required(org):
    with pytest.raises(CommandError, match="--role"):
        create_user("someone")
