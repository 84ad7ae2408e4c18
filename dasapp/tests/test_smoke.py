import pytest

from dasapp.roles import Role


def test_sign_in_page_renders_for_anonymous_user(client, db):
    response = client.get("/account/sign-in/")
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_home_redirects_anonymous_user_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


def test_every_role_reaches_its_home_page(client_for):
    for role in Role.values:
        c = client_for(role)
        response = c.get("/")
        assert response.status_code == 200, role
        assert Role(role).label.encode() in response.content, role


PLACEHOLDERS = [
    "You have no DV1 forms to complete.",
    "You have no open investigations.",
    "No MARAC meetings are scheduled.",
    "No MARAC actions are overdue.",
    "You have no referrals waiting.",
    "Your agency has no open MARAC actions.",
]


@pytest.mark.parametrize(
    "role",
    [Role.OFFICER, Role.INVESTIGATOR, Role.MARAC_COORDINATOR, Role.IDVA, Role.PARTNER],
)
def test_home_page_claims_no_empty_work_list_it_does_not_look_up(client_for, role):
    html = client_for(role).get("/").content.decode()
    assert "Your work" in html
    assert "Your account has no role yet" not in html
    for text in PLACEHOLDERS:
        assert text not in html
