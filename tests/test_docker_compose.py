"""The production shape, checked by reading docker-compose.yml and the Dockerfile.

There is no Docker engine in CI, so these tests read the files, resolve what they
refer to (modules, scripts, settings) and run the pieces that can run without Docker:
the settings the compose environment produces, and the web health check script.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")
COMPOSE_TEXT = (REPO / "docker-compose.yml").read_text()
DOCKERFILE = (REPO / "Dockerfile").read_text()
# Values for the variables an operator must set in .env.
OPERATOR_ENV = {
    "SECRET_KEY": "x" * 64,
    "ALLOWED_HOSTS": "dasapp.example.org",
    "POSTGRES_PASSWORD": "0123456789abcdef",
}


class MissingVariable(Exception):
    pass


_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: ${X}, ${X:-default}, ${X:?error} and $$."""

    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        value = env.get(name)
        if op in (":-", "-"):
            return value if value or (op == "-" and value is not None) else arg
        if op in (":?", "?") and not value:
            raise MissingVariable(f"{name}: {arg}")
        return value or ""

    return _VARIABLE.sub(replace, text)


def command(service: str) -> str:
    value = SERVICES[service].get("command", "")
    return " ".join(value) if isinstance(value, list) else value


def app_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """The web container's environment as compose would pass it."""
    raw = SERVICES["web"]["environment"]
    return {key: interpolate(str(value), env or OPERATOR_ENV) for key, value in raw.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    lines = [line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in (raw.strip() for raw in joined.splitlines())
        if line
    ]


def settings_in_subprocess(env: dict[str, str], tmp_path: Path) -> dict:
    """Import the settings as a container would, with only `env` set."""
    script = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings as s\n"
        "db = s.DATABASES['default']\n"
        "print(json.dumps({\n"
        "  'PRODUCTION': s.PRODUCTION, 'DEBUG': s.DEBUG, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS,\n"
        "  'SECURE_SSL_REDIRECT': s.SECURE_SSL_REDIRECT,\n"
        "  'SECURE_REDIRECT_EXEMPT': s.SECURE_REDIRECT_EXEMPT,\n"
        "  'SESSION_COOKIE_SECURE': s.SESSION_COOKIE_SECURE,\n"
        "  'db': [db['ENGINE'], db['HOST'], str(db['PORT']), str(db['NAME'])],\n"
        "  'CELERY_BROKER_URL': s.CELERY_BROKER_URL,\n"
        "  'CELERY_BEAT_SCHEDULER': s.CELERY_BEAT_SCHEDULER,\n"
        "  'staticfiles': s.STORAGES['staticfiles']['BACKEND'],\n"
        "}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "dasapp.settings",
            "DASAPP_VAR_DIR": str(tmp_path / "var"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


# Services --------------------------------------------------------------------------


def test_compose_defines_the_five_services():
    assert set(SERVICES) == {"postgres", "redis", "web", "worker", "beat"}


def test_postgres_16_and_redis_7_keep_their_data_in_named_volumes():
    assert SERVICES["postgres"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"
    for service, path in [("postgres", "/var/lib/postgresql/data"), ("redis", "/data")]:
        (volume,) = SERVICES[service]["volumes"]
        name, mount = volume.split(":")
        assert mount == path
        assert name in COMPOSE["volumes"]


def test_postgres_and_redis_have_healthchecks():
    assert "pg_isready" in " ".join(SERVICES["postgres"]["healthcheck"]["test"])
    assert SERVICES["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_start_only_once_postgres_and_redis_are_healthy(service):
    depends = SERVICES[service]["depends_on"]
    for backing in ("postgres", "redis"):
        assert depends[backing] == {"condition": "service_healthy"}


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_worker_and_beat_wait_for_a_healthy_web_so_migrations_have_run(service):
    assert SERVICES[service]["depends_on"]["web"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("service", ["postgres", "redis", *APP_SERVICES])
def test_every_service_restarts_unless_stopped(service):
    assert SERVICES[service]["restart"] == "unless-stopped"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_run_the_image_the_dockerfile_builds(service):
    assert SERVICES[service]["build"] == "."
    assert SERVICES[service]["image"] == SERVICES["web"]["image"]


def test_no_service_but_web_publishes_a_port_and_web_only_on_loopback():
    for name, service in SERVICES.items():
        if name != "web":
            assert "ports" not in service, name
    (port,) = SERVICES["web"]["ports"]
    assert interpolate(port, {}) == "127.0.0.1:8000:8000"


# Commands --------------------------------------------------------------------------


def test_web_runs_migrations_then_gunicorn_on_the_wsgi_application():
    cmd = interpolate(command("web"), {})
    migrate = cmd.index("docker/migrate.py")
    gunicorn = cmd.index("exec gunicorn dasapp.wsgi:application")
    assert migrate < gunicorn
    assert "&&" in cmd[migrate:gunicorn], "gunicorn must not start if migrations fail"
    assert "--config docker/gunicorn.conf.py" in cmd


@pytest.mark.django_db
def test_migrate_script_runs_djangos_migrate(monkeypatch):
    calls = []
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: calls.append((a, k)))
    runpy.run_path(str(REPO / "docker" / "migrate.py"), run_name="__main__")
    assert calls == [(("migrate",), {"interactive": False})]


def test_worker_runs_a_celery_worker_for_the_dasapp_app():
    assert command("worker").startswith("celery -A dasapp worker")


def test_exactly_one_service_runs_celery_beat_and_it_is_not_replicated():
    beats = [name for name in SERVICES if re.search(r"\bcelery\b.*\bbeat\b", command(name))]
    assert beats == ["beat"]
    beat = SERVICES["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert "scale" not in beat
    for name in ("web", "worker"):
        assert not re.search(r"(^|\s)(-B|--beat)(\s|$)", command(name)), f"{name} embeds a beat"


def test_beat_uses_the_database_scheduler_settings_configure():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    assert not re.search(r"(-S|--scheduler)\b", command("beat")), "settings choose the scheduler"


def test_web_healthcheck_calls_healthz_on_the_port_gunicorn_binds():
    test = SERVICES["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "docker/healthcheck.py"]
    url = urlsplit(test[3])
    gunicorn = runpy.run_path(str(REPO / "docker" / "gunicorn.conf.py"))
    assert url.path == "/healthz"
    assert url.port == int(gunicorn["bind"].rsplit(":", 1)[1])
    (port,) = SERVICES["web"]["ports"]
    assert port.endswith(f":{url.port}")


def test_gunicorn_access_log_never_records_query_strings():
    gunicorn = runpy.run_path(str(REPO / "docker" / "gunicorn.conf.py"))
    fmt = gunicorn["access_log_format"]
    assert "%(U)s" in fmt
    for with_query in ("%(r)s", "%(q)s", "%({raw_uri}e)s"):
        assert with_query not in fmt


# Environment -----------------------------------------------------------------------


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_worker_and_beat_share_the_web_environment(service):
    assert SERVICES[service]["environment"] == SERVICES["web"]["environment"]


@pytest.mark.parametrize("variable", ["SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD"])
def test_compose_refuses_to_start_without_a_required_variable(variable):
    assert re.search(r"\$\{" + variable + r":\?set " + variable, COMPOSE_TEXT)
    env = {k: v for k, v in OPERATOR_ENV.items() if k != variable}
    with pytest.raises(MissingVariable, match=f"set {variable}"):
        interpolate(COMPOSE_TEXT, env)
    interpolate(COMPOSE_TEXT, OPERATOR_ENV)  # and with all three set, nothing is missing


def test_app_services_use_the_postgres_and_redis_services_in_production_mode():
    env = app_environment()
    assert env["DJANGO_ENV"] == "production"
    database = urlsplit(env["DATABASE_URL"])
    assert (database.scheme, database.hostname, database.port) == ("postgres", "postgres", 5432)
    assert database.password == OPERATOR_ENV["POSTGRES_PASSWORD"]
    assert database.path.lstrip("/") == SERVICES["postgres"]["environment"]["POSTGRES_DB"]
    assert database.username == SERVICES["postgres"]["environment"]["POSTGRES_USER"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"


def _variables_settings_read() -> set[str]:
    text = (REPO / "dasapp" / "settings.py").read_text() + (REPO / "dasapp" / "env.py").read_text()
    readers = r"(?:env_str|env_bool|env_int|env_list|os\.environ\.get|os\.getenv)\(\s*"
    names = set(re.findall(readers + r"[\"']([A-Z][A-Z0-9_]*)[\"']", text))
    names |= set(re.findall(r"os\.environ\[\s*[\"']([A-Z][A-Z0-9_]*)[\"']", text))
    return names


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_variable_compose_passes_is_one_settings_reads(service):
    read = _variables_settings_read()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read  # the reader sees them
    passed = set(SERVICES[service]["environment"])
    assert passed - read == set()


def test_compose_environment_gives_valid_production_settings(tmp_path):
    s = settings_in_subprocess(app_environment(), tmp_path)
    assert s["PRODUCTION"] is True and s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == ["dasapp.example.org"]
    assert s["SECURE_SSL_REDIRECT"] is True and s["SESSION_COOKIE_SECURE"] is True
    assert s["db"] == ["django.db.backends.postgresql", "postgres", "5432", "dasapp"]
    assert s["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert s["CELERY_BEAT_SCHEDULER"] == "django_celery_beat.schedulers:DatabaseScheduler"
    assert s["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert any(re.search(pattern, "healthz") for pattern in s["SECURE_REDIRECT_EXEMPT"])


def test_secure_ssl_redirect_can_be_turned_off_for_local_use(tmp_path):
    env = app_environment({**OPERATOR_ENV, "SECURE_SSL_REDIRECT": "false"})
    assert settings_in_subprocess(env, tmp_path)["SECURE_SSL_REDIRECT"] is False


@pytest.mark.django_db
def test_healthz_answers_over_plain_http_when_everything_else_redirects(client, settings):
    """What the container health check relies on: /healthz is exempt from the redirect."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # as production settings set it
    assert client.get("/healthz").status_code == 200
    response = client.get("/account/sign-in/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


# The Dockerfile --------------------------------------------------------------------


def test_image_is_python_311_slim():
    assert dockerfile_instructions()[0] == ("FROM", "python:3.11-slim")


def test_image_runs_as_a_user_that_is_not_root():
    instructions = dockerfile_instructions()
    users = [(i, args.split(":")[0]) for i, (op, args) in enumerate(instructions) if op == "USER"]
    assert users, "the Dockerfile never switches from root"
    index, user = users[-1]
    assert user not in {"root", "0"}
    cmd_index = max(i for i, (op, _) in enumerate(instructions) if op in {"CMD", "ENTRYPOINT"})
    assert index < cmd_index
    assert re.search(rf"useradd\b.*\b{re.escape(user)}\b", DOCKERFILE)


def test_image_installs_runtime_dependencies_without_the_dev_extra():
    runs = " ".join(args for op, args in dockerfile_instructions() if op == "RUN")
    assert "['project']['dependencies']" in runs
    assert "pip install -r /tmp/requirements.txt" in runs
    assert "[dev]" not in DOCKERFILE
    assert "pip install -e" not in DOCKERFILE


def _collectstatic_env() -> dict[str, str]:
    (run,) = [args for op, args in dockerfile_instructions() if "collectstatic" in args]
    prefix = run.split("python manage.py collectstatic")[0]
    return dict(re.findall(r"(\w+)=(\S+)", prefix))


def test_static_files_are_collected_at_build_with_production_settings(tmp_path):
    env = _collectstatic_env()
    assert env["DJANGO_ENV"] == "production"
    s = settings_in_subprocess(env, tmp_path)  # would fail on a short key or no hosts
    assert s["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert env["SECRET_KEY"] != app_environment()["SECRET_KEY"]
    assert "SECRET_KEY" not in " ".join(a for op, a in dockerfile_instructions() if op == "ENV")


def test_every_module_the_commands_name_exists():
    from celery import Celery
    from celery.app.utils import find_app

    commands = " ".join([DOCKERFILE, *(command(name) for name in SERVICES)])
    wsgi = set(re.findall(r"([\w.]+):(application)\b", commands))
    assert wsgi == {("dasapp.wsgi", "application")}
    for module, attribute in wsgi:
        assert callable(getattr(importlib.import_module(module), attribute))
    apps = set(re.findall(r"celery -A ([\w.]+)", commands))
    assert apps == {"dasapp"}
    for name in apps:
        app = find_app(name)
        assert isinstance(app, Celery) and app.main == "dasapp"
        app.loader.import_default_modules()
        assert "dasapp.tasks.heartbeat" in app.tasks


def test_every_script_the_image_and_compose_name_exists():
    text = DOCKERFILE + COMPOSE_TEXT
    scripts = set(re.findall(r"docker/[\w.-]+\.py", text))
    assert scripts >= {"docker/migrate.py", "docker/gunicorn.conf.py", "docker/healthcheck.py"}
    for script in scripts:
        assert (REPO / script).is_file(), script


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".git", ".env", ".venv", "var"} <= ignored


def test_the_healthcheck_never_hangs_a_dockerfile_healthcheck_on_worker_and_beat():
    """A HEALTHCHECK in the image would apply to the worker and beat, which serve no HTTP."""
    assert "HEALTHCHECK" not in {op for op, _ in dockerfile_instructions()}


# The web health check script ---------------------------------------------------------


def test_healthcheck_sends_the_first_allowed_host():
    host_header = runpy.run_path(str(REPO / "docker" / "healthcheck.py"))["host_header"]
    assert host_header("dasapp.example.org, other.example.org") == "dasapp.example.org"
    assert host_header(".example.org") == "example.org"
    assert host_header("*") == "localhost"
    assert host_header("") == "localhost"


def _healthcheck(url: str, allowed_hosts: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "docker" / "healthcheck.py"), url],
        env={"PATH": os.environ.get("PATH", ""), "ALLOWED_HOSTS": allowed_hosts},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_healthcheck_passes_when_healthz_answers(live_server, transactional_db):
    assert _healthcheck(f"{live_server.url}/healthz", "localhost").returncode == 0


def test_healthcheck_fails_when_the_host_is_not_allowed(live_server, transactional_db):
    result = _healthcheck(f"{live_server.url}/healthz", "elsewhere.example.org")
    assert result.returncode == 1
    assert "400" in result.stderr


def test_healthcheck_fails_when_nothing_listens(tmp_path):
    assert _healthcheck("http://127.0.0.1:9/healthz", "localhost").returncode == 1
