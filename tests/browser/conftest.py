"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Playwright cannot download its own browser here, so the tests launch /usr/bin/chromium
(`apt-get install -y chromium`). Without it they skip, except in CI (CI=true), where a
missing browser is a failure: CI installs it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the main thread, where the tests also use
# the ORM: Django would otherwise refuse with SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Correct-Horse-Battery-9"
FRONTEND_ERROR = re.compile(
    r"\b(SupportError|InitError|ElementError|ConfigError|GOVUKFrontendError)\b"
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium instead of a Playwright-downloaded one."""
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        if _in_ci():
            pytest.fail(f"{reason}: CI must install it before the browser tests", pytrace=False)
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def context(context):
    """Fail fast: a page that does not show what we expect within 10 s is broken. Both
    actions and `expect` assertions wait that long (expect's own default is 5 s, which
    a debounced look-up on a busy CI machine can miss)."""
    from playwright.sync_api import expect

    context.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    return context


@pytest.fixture
def console_problems(page):
    """Console errors, uncaught exceptions and CSP violations seen by the page."""
    problems: list[str] = []

    def on_console(msg):
        # GOV.UK Frontend reports its own failures with console.log(error).
        if msg.type == "error" or FRONTEND_ERROR.search(msg.text):
            problems.append(f"console.{msg.type}: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => {"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline')"
        " + ' at ' + (e.sourceFile || '?') + ':' + e.lineNumber + ' sample ' + (e.sample || '')"
        " + ' on ' + document.location.pathname);"
        "});"
    )
    return problems


def sign_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form."""
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def serious_violations(page) -> list[str]:
    """axe-core violations with impact serious or critical, as 'id: targets' lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def assert_accessible(page, what: str) -> None:
    """No serious or critical axe violations on the page now showing."""
    violations = serious_violations(page)
    assert not violations, f"axe on the {what}:\n" + "\n".join(violations)


def assert_rules_pass(page, what: str, rules: list[str]) -> None:
    """The named axe rules pass on the page now showing, whatever their impact (for
    example `landmark-unique`, a moderate one)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "rule", "values": rules}, "resultTypes": ["violations"]},
    )
    violations = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]
    assert not violations, f"axe on the {what}:\n" + "\n".join(violations)
