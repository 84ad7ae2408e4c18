"""Provisioning staff accounts: roles (groups), team, profile and API token, used by
commands, demo data and tests alike."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from dasapp.models import User
from dasapp.roles import ALL_ROLES
from dasapp.users import roles_ensure
from org.models import StaffProfile, Team


@transaction.atomic
def user_provision(
    *,
    username: str,
    roles: list[str],
    team_code: str | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    rank: str = "",
    email: str = "",
    supervisor: User | None = None,
) -> tuple[User, Token]:
    """Create or update an account with exactly these roles, in the team with code
    `team_code` (if given). Idempotent."""
    unknown = sorted(set(roles) - ALL_ROLES)
    if unknown:
        raise ValidationError(
            {
                "role": f"Unknown role {', '.join(unknown)}. Choose from {', '.join(sorted(ALL_ROLES))}"
            }
        )
    team = None
    if team_code:
        team = Team.objects.filter(code=team_code).first()
        if team is None:
            raise ValidationError({"team": f"No team has the code {team_code!r}"})
    groups = roles_ensure()
    user, _ = User.objects.get_or_create(username=username)
    user.first_name = first_name or user.first_name
    user.last_name = last_name or user.last_name
    user.email = email or user.email
    if password:
        user.set_password(password)
    elif not user.has_usable_password() or not user.password:
        user.set_unusable_password()
    user.is_active = True
    user.save()
    user.groups.set([groups[name] for name in roles])
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    changed = False
    for field, value in (("team", team), ("rank", rank), ("supervisor", supervisor)):
        if value and getattr(profile, field) != value:
            setattr(profile, field, value)
            changed = True
    if changed:
        profile._change_reason = "Provisioned"
        profile.save()
    token, _ = Token.objects.get_or_create(user=user)
    return user, token
