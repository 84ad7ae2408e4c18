"""Demo data: safe to run again, a working login for every role, and only invented people."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from dasapp.roles import Role
from demo.management.commands._demo_data import DEMO_USERS, HOUSEHOLDS
from demo.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

# SHA-256 of each lower-cased given and family name of the real people named in the
# 2013 HMIC inspection of Essex Police: the women and the child who were killed and the
# men who killed them. Kept as hashes so that no test or fixture spells them out.
REAL_NAME_HASHES = frozenset(
    {
        "94aec9fbed989ece189a7e172c9cf41669050495152bc4c1dbf2a38d7fd85627",
        "1078ddc29a72a1777d550fa39073e24fd7d30509ca88454e2cd61da363ee53a7",
        "4697c20f8a70fcad6323e007d553cfe05d4433f81be70884ea3b4834b147f4c1",
        "2f9ecae35b34d2ba77bc14a9026955047cf93f7a19995b83b1c8cdadfd961074",
        "5e608d7beca7513cab18e6a396ea894f2c5466379dcc1e3888cc23d685aea600",
        "38ed809d7c07fdcb6cf7990ba7caa137149b495b475e1889441aa45b3074827a",
        "76c6590b875761412c621e6ef9690e449b2bbe486fed46fb1b42186f6fffb1bf",
        "07d046d5fac12b3f82daf5035b9aae86db5adc8275ebfbf05ec83005a4a8ba3e",
        "ceab0fd125dc86d4c3863ca69efadd723aa027d2dd71328794a993d99289d837",
        "853dbc39c711e07347cfb240f4dd4905f3d2d83e5a14397030449f3737face9f",
        "95ffd299ece92304b3e95f4f65e666ba9d1bc6b85e7ea83866f447be0e5fb770",
        "b6f8d434a847fb0f0c1a8d9b936b8ca952e224f205a55f4ba9b2c20f88fdc9e7",
        "be7f251c25c4a89fe8c7a873f0d3cba96780733758c8d461d9f62528537d527a",
    }
)
# Every table seed_demo may write, counted before and after a second run.
COUNTED_APPS = {
    "dasapp",
    "org",
    "people",
    "calls",
    "cases",
    "partners",
    "risk",
    "marac",
    "auth",
    "authtoken",
    "otp_totp",
}


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in COUNTED_APPS
        and not model.__name__.startswith("Historical")
        and not model._meta.proxy
    }


def _name_hash(token: str) -> str:
    return hashlib.sha256(token.lower().encode()).hexdigest()


def _tokens(*names: str) -> set[str]:
    return {token for name in names for token in re.split(r"[^\w']+", name.lower()) if token}


@pytest.fixture
def seeded():
    return _seed()


# Running again ----------------------------------------------------------------------


def test_running_seed_demo_twice_duplicates_nothing(seeded):
    before = _counts()
    for label in [
        "dasapp.User",
        "people.Person",
        "people.PersonName",
        "people.Address",
        "people.PersonAddress",
        "people.PhoneNumber",
        "people.PersonPhone",
        "people.Relationship",
        "otp_totp.TOTPDevice",
    ]:
        assert before[label] > 0, f"seed_demo made no {label}"
    _seed()
    assert _counts() == before


def test_second_run_keeps_the_same_people_and_logins(seeded):
    from dasapp.models import User
    from people.models import Person

    people = set(Person.objects.values_list("pk", "given_name", "family_name"))
    users = set(User.objects.values_list("pk", "username"))
    _seed()
    assert set(Person.objects.values_list("pk", "given_name", "family_name")) == people
    assert set(User.objects.values_list("pk", "username")) == users


def test_seed_demo_prints_the_logins_and_the_shared_password(seeded):
    assert "Demo logins" in seeded
    assert DEMO_PASSWORD in seeded
    for username, *_ in DEMO_USERS:
        assert username in seeded


def test_seed_demo_refuses_to_run_in_production(settings):
    from people.models import Person

    settings.PRODUCTION = True
    err = io.StringIO()
    call_command("seed_demo", stdout=io.StringIO(), stderr=err)
    assert "refuses" in err.getvalue()
    assert not Person.objects.exists()


# Logins -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", Role.values)
def test_every_role_has_a_demo_user_who_can_sign_in(seeded, role):
    from dasapp.models import User

    users = User.objects.filter(groups__name=role, is_active=True)
    assert users.exists(), f"no demo user has the role {role}"
    user = users.first()
    assert user.check_password(DEMO_PASSWORD)
    assert hasattr(user, "profile") and user.profile.team is not None

    client = Client()
    response = client.post(
        "/account/sign-in/", {"username": user.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.content[:300]
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_demo_users_hold_exactly_the_roles_listed(seeded):
    from dasapp.models import User

    for username, roles, team, *_ in DEMO_USERS:
        user = User.objects.get(username=username)
        assert set(user.groups.values_list("name", flat=True)) == set(roles), username
        assert user.profile.team.code == team, username


@pytest.mark.parametrize("username", ["supervisor", "admin"])
def test_supervisor_and_admin_have_a_confirmed_authenticator(seeded, username):
    assert TOTPDevice.objects.filter(user__username=username, confirmed=True).count() == 1


def test_demo_totp_prints_a_six_digit_code_the_device_accepts(seeded):
    out = io.StringIO()
    call_command("demo_totp", "supervisor", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code), code
    device = TOTPDevice.objects.get(user__username="supervisor", confirmed=True)
    assert device.verify_token(code)


def test_supervisor_signs_in_with_password_then_demo_totp_code(seeded):
    client = Client()
    response = client.post(
        "/account/sign-in/", {"username": "supervisor", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").url.startswith("/account/two-factor/verify/")

    out = io.StringIO()
    call_command("demo_totp", "supervisor", stdout=out)
    response = client.post("/account/two-factor/verify/", {"token": out.getvalue().strip()})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_demo_totp_refuses_a_user_without_a_demo_authenticator(seeded):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no demo authenticator"):
        call_command("demo_totp", "calltaker", stdout=io.StringIO())


# Only invented people ----------------------------------------------------------------


def test_real_name_hashes_are_distinct_lower_case_sha256():
    assert len(REAL_NAME_HASHES) == 13
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in REAL_NAME_HASHES)
    assert _name_hash("Leah") == _name_hash("leah")


def test_demo_people_never_bear_the_names_of_the_real_victims_or_killers(seeded):
    from people.models import Person, PersonName

    names = [
        *Person.objects.values_list("given_name", "family_name"),
        *PersonName.objects.values_list("given_name", "family_name"),
    ]
    assert names
    tokens = _tokens(*(part for pair in names for part in pair))
    assert {_name_hash(token) for token in tokens} & REAL_NAME_HASHES == set()


def test_demo_source_never_uses_the_names_of_the_real_victims_or_killers():
    """Also the names in the demo file itself, staff included, seeded or not."""
    names = [first for *_, first, _last, _rank, _sup in DEMO_USERS]
    names += [last for *_, _first, last, _rank, _sup in DEMO_USERS]
    for household in HOUSEHOLDS:
        names += [part for person in household["people"] for part in person[1:3]]
        names += [part for alias in household.get("aliases", []) for part in alias[1:3]]
        names += [part for _, other, _ in household.get("external_ties", []) for part in other[:2]]
    tokens = _tokens(*names)
    assert len(tokens) > 20
    assert {_name_hash(token) for token in tokens} & REAL_NAME_HASHES == set()


def test_every_demo_case_is_in_its_victims_district(seeded):
    """A queue's district filter and the routing note read the case's district: the
    demo cases have the district of their victim's address."""
    from cases.models import Case

    cases = list(Case.objects.select_related("district", "victim"))
    assert cases
    for case in cases:
        home = case.victim.address_links.filter(is_current=True).select_related("address").get()
        assert case.district is not None and case.district == home.address.district, case


def test_demo_totp_names_a_user_without_a_demo_authenticator(org):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nobody has no demo authenticator"):
        call_command("demo_totp", "nobody", stdout=io.StringIO())
