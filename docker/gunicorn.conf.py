"""Gunicorn settings for the web container (see docker-compose.yml).

The command line may override any of these (docker-compose.yml sets --workers).
"""

bind = "0.0.0.0:8000"
workers = 3
threads = 4
timeout = 60
graceful_timeout = 30
# Heartbeat files in memory: a container's overlay file system can stall them.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - the container's own tmpfs, not shared
accesslog = "-"
# The path only, never the query string: searches carry names and phone numbers.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(L)ss'
