"""Settings from the environment: production passes Django's deployment checks, a bad
value stops start-up naming the variable, and pages carry a CSP with nonces."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Variables that would change what the settings module reads.
SETTINGS_VARIABLES = (
    "DJANGO_ENV",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
)


def run(args: list[str], tmp_path, **env: str) -> subprocess.CompletedProcess:
    # Drop what the test run itself set, e.g. DJANGO_ALLOW_ASYNC_UNSAFE from browser tests.
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in SETTINGS_VARIABLES and not k.startswith("DJANGO_")
    }
    clean.update(DJANGO_SETTINGS_MODULE="dasapp.settings", DASAPP_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(**extra: str) -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "ALLOWED_HOSTS": "dasapp.example.org",
        **extra,
    }


def last_line(result: subprocess.CompletedProcess) -> str:
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[-1] if lines else ""


def test_production_settings_pass_the_deployment_checks_with_no_warnings(tmp_path):
    env = production()
    assert len(env["SECRET_KEY"]) == 64
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "dasapp.example.org"}, "SECRET_KEY"),
        (production(SECRET_KEY="too-short"), "SECRET_KEY"),
        (production(ALLOWED_HOSTS=""), "ALLOWED_HOSTS"),
        (production(DEBUG="true"), "DEBUG"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"DATABASE_URL": "foo://db.example/dasapp"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://u@db.example:notaport/dasapp"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379/0"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:port/0"}, "REDIS_URL"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
        ({"SESSION_IDLE_TIMEOUT_SECONDS": "fifteen"}, "SESSION_IDLE_TIMEOUT_SECONDS"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_configuration_stops_start_up_naming_the_variable(tmp_path, env, variable):
    result = run(["manage.py", "check"], tmp_path, **env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr, result.stderr
    message = last_line(result)
    assert message.startswith("Configuration error: ")
    assert variable in message, message


def test_argon2_is_the_first_password_hasher_outside_tests(tmp_path):
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.contrib.auth.hashers import make_password\n"
        "print(settings.PASSWORD_HASHERS[0])\n"
        "print(make_password('Correct-Horse-Battery-9').split('$')[0])\n"
    )
    for env in ({}, production()):
        result = run(["-c", script], tmp_path, **env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [
            "dasapp.hashers.OwaspArgon2PasswordHasher",
            "argon2",
        ]


# Content Security Policy -----------------------------------------------------------


def nonce_from(header: str) -> str:
    script_src = next(d for d in header.split(";") if d.strip().startswith("script-src"))
    match = re.search(r"'nonce-([^']+)'", script_src)
    assert match, script_src
    return match.group(1)


@pytest.mark.parametrize("path", ["/account/sign-in/", "/"])
def test_pages_carry_a_csp_whose_nonce_is_on_every_script(client_for, client, path):
    c = client if path == "/account/sign-in/" else client_for("daso")
    response = c.get(path)
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    nonce = nonce_from(header)
    assert "'unsafe-inline'" not in header
    assert "default-src 'self'" in header
    assert "frame-ancestors 'none'" in header
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag


def test_each_response_gets_a_new_nonce(client, db):
    first = nonce_from(client.get("/account/sign-in/")["Content-Security-Policy"])
    second = nonce_from(client.get("/account/sign-in/")["Content-Security-Policy"])
    assert first != second


def test_links_in_emails_point_at_the_port_make_run_serves_on_unless_set(tmp_path):
    script = "import django; django.setup()\nfrom django.conf import settings\nprint(settings.SITE_URL)\n"
    served = run(["-c", script], tmp_path, DASAPP_PORT="8810")
    assert served.stdout.strip() == "http://127.0.0.1:8810", served.stderr
    public = run(["-c", script], tmp_path, DASAPP_PORT="8810", SITE_URL="https://das.example.org")
    assert public.stdout.strip() == "https://das.example.org", public.stderr
