"""Who may do what with the platform's own records (the access log)."""

from __future__ import annotations

from dasapp.roles import Role, has_role

# Supervisors read the access log and export it; nobody else does.
ACCESS_LOG_READERS = (Role.SUPERVISOR,)


def may_read_access_log(user) -> bool:
    """Whether `user` may read the access log, export it, and follow "Who viewed this
    record" from a person or case."""
    return bool(user and user.is_authenticated and has_role(user, *ACCESS_LOG_READERS))
