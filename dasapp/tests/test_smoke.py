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
