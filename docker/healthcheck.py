"""Docker health check of the web container: exit 0 when a URL answers 200.

Django refuses a Host header that is not in ALLOWED_HOSTS, so the check sends the
first allowed host. /healthz is exempt from the HTTPS redirect (settings.py).

    python docker/healthcheck.py http://127.0.0.1:8000/healthz
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def host_header(allowed_hosts: str) -> str:
    """The first allowed host as a plain name ('.example.org' and '*' allow any)."""
    hosts = [host.strip() for host in allowed_hosts.split(",") if host.strip()]
    first = hosts[0].lstrip("*").lstrip(".") if hosts else ""
    return first or "localhost"


def check(url: str) -> int:
    if not url.startswith(("http://", "https://")):
        print(f"unhealthy: not an http URL: {url}", file=sys.stderr)
        return 2
    host = host_header(os.environ.get("ALLOWED_HOSTS", ""))
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(check(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/healthz"))
