"""The roles as Django groups. Accounts are provisioned, with their team, by
`org.services.user_provision`."""

from __future__ import annotations

from django.contrib.auth.models import Group

from dasapp.roles import ALL_ROLES


def roles_ensure() -> dict[str, Group]:
    """Create the role groups if missing."""
    return {name: Group.objects.get_or_create(name=name)[0] for name in sorted(ALL_ROLES)}
