"""The API documentation page works under our content security policy: Swagger UI is
served from our own static files and shows the schema, with no CSP violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dasapp.roles import Role
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_the_schema_without_csp_violations(
    page, live_server, persona, console_problems
):
    user = persona(Role.CALL_TAKER, team="control-room")
    sign_in(page, live_server, user.username)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .title")).to_contain_text("Domestic abuse case management API")
    expect(page.locator(".swagger-ui").get_by_text("/api/v1/lookup/").first).to_be_visible()
    assert console_problems == [], "\n".join(console_problems)
