"""Apply database migrations before the web server starts (docker-compose.yml's web).

Several web containers may start at once: on PostgreSQL they take turns under an
advisory lock, and the later ones find nothing left to do. The statement timeout that
protects requests is lifted for this session, as building an index may take longer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dasapp.settings")

# Any constant shared by every container of this application.
MIGRATION_LOCK = 7_301_100


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        call_command("migrate", interactive=False)
        return
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
    try:
        call_command("migrate", interactive=False)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])


if __name__ == "__main__":
    main()
