"""The benchmarks' own database, never the development or test one.

`BENCH_DATABASE_URL` names it (default: PostgreSQL database `dasapp_bench` on
127.0.0.1). A PostgreSQL database is dropped and recreated only if its name contains
"bench"; a SQLite file is deleted only if its name does.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dasapp_bench"


def bench_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL


def use(url: str) -> dict:
    """Point Django at the benchmark database (call before `django.setup()`)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dasapp.settings")
    # Query logging would slow every query down and grow without end.
    os.environ["DEBUG"] = "false"
    return environ.Env.db_url_config(url)


def _check_name(name: str) -> None:
    if "bench" not in Path(str(name)).name:
        raise SystemExit(
            f"Refusing to recreate {name!r}: the benchmark database's name must contain "
            "'bench' so that a development or test database is never dropped. Set "
            "BENCH_DATABASE_URL, or pass --reuse to keep the data that is there."
        )


def prepare(config: dict, *, fresh: bool, out=print) -> None:
    """Create the database if it is missing; with `fresh`, drop it first."""
    if config["ENGINE"].endswith("sqlite3"):
        path = Path(config["NAME"])
        if fresh and path.exists():
            _check_name(path)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            out(f"Deleted {path}")
        return
    import psycopg2
    from psycopg2 import sql

    name = config["NAME"]
    admin = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
            if exists and fresh:
                _check_name(name)
                cursor.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
                out(f"Dropped database {name}")
                exists = False
            if not exists:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                out(f"Created database {name}")
    finally:
        admin.close()
