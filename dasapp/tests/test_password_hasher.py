"""Passwords are hashed with Argon2id at OWASP's recommended cost, no lower, and hashes
made with other parameters are upgraded at the next sign-in."""

from __future__ import annotations

import argon2
import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, identify_hasher
from django.test import Client, override_settings

from dasapp.hashers import OWASP_ARGON2ID_MINIMUMS, OwaspArgon2PasswordHasher, meets_owasp_minimum
from dasapp.roles import Role

PASSWORD = "Correct-Horse-Battery-9"
PRODUCTION_HASHERS = [h for h in settings.PASSWORD_HASHERS if not h.endswith(".MD5PasswordHasher")]


def _parameters(encoded: str) -> argon2.Parameters:
    return argon2.extract_parameters("$" + encoded.split("$", 1)[1])


def test_the_service_hashes_new_passwords_with_the_owasp_argon2id_hasher():
    # Tests put the fast MD5 hasher first; everywhere else this list is used as it is.
    assert PRODUCTION_HASHERS[0] == "dasapp.hashers.OwaspArgon2PasswordHasher"


def test_hasher_parameters_are_at_least_owasps_argon2id_recommendation():
    hasher = OwaspArgon2PasswordHasher()
    assert hasher.algorithm == "argon2"
    assert hasher.parallelism == 1
    assert meets_owasp_minimum(memory_cost=hasher.memory_cost, time_cost=hasher.time_cost)
    # One of OWASP's own configurations, not merely above a line: 19 MiB, 2 passes.
    assert (hasher.memory_cost, hasher.time_cost) in OWASP_ARGON2ID_MINIMUMS
    params = _parameters(hasher.encode(PASSWORD, hasher.salt()))
    assert params.type is argon2.Type.ID
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)


@pytest.mark.parametrize(
    ("memory_cost", "time_cost", "meets"),
    [
        (19456, 2, True),
        (47104, 1, True),
        (7168, 5, True),
        (19455, 2, False),  # a KiB short of 19 MiB at two passes
        (19456, 1, False),  # one pass needs 46 MiB
        (4096, 8, False),  # below the smallest memory OWASP lists
    ],
)
def test_meets_owasp_minimum_is_judged_against_each_configuration(memory_cost, time_cost, meets):
    assert meets_owasp_minimum(memory_cost=memory_cost, time_cost=time_cost) is meets


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_password_set_now_is_stored_with_the_owasp_parameters(persona):
    user = persona(Role.DASO)
    user.set_password(PASSWORD)
    user.save()
    assert isinstance(identify_hasher(user.password), OwaspArgon2PasswordHasher)
    assert _parameters(user.password).memory_cost == 19456
    assert not get_hasher("default").must_update(user.password)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
@pytest.mark.parametrize(
    "old_hasher",
    ["django", "pbkdf2"],
    ids=["argon2-with-django-defaults", "pbkdf2"],
)
def test_an_older_hash_still_signs_in_and_is_upgraded_at_that_sign_in(persona, old_hasher):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = persona(Role.DASO)
    hasher = Argon2PasswordHasher() if old_hasher == "django" else PBKDF2PasswordHasher()
    old = hasher.encode(PASSWORD, hasher.salt())
    type(user).objects.filter(pk=user.pk).update(password=old)
    if old_hasher == "django":
        assert get_hasher("default").must_update(old)

    response = Client().post("/account/sign-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    user.refresh_from_db()
    assert user.password != old
    assert user.password.startswith("argon2$argon2id$")
    params = _parameters(user.password)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
    # And the new hash signs in too.
    response = Client().post("/account/sign-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
