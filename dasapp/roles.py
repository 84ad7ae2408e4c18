"""The roles of the product: Django groups, what each is called and where it starts.

A role is a Django group. A user may hold more than one (a DASO who is also an IDVA
liaison, say); permissions are the union. Superusers are administrators and use the
Django admin; they hold no role unless one is given.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CALL_TAKER = "call_taker", "Call-taker"
    INTELLIGENCE = "intelligence", "Intelligence researcher"
    OFFICER = "officer", "Attending officer"
    RESEARCHER = "researcher", "Referral unit researcher"
    DASO = "daso", "Domestic abuse safeguarding officer"
    INVESTIGATOR = "investigator", "Investigator"
    MARAC_COORDINATOR = "marac_coordinator", "MARAC coordinator"
    IDVA = "idva", "Independent domestic violence advocate"
    PARTNER = "partner", "Partner agency"
    SUPERVISOR = "supervisor", "Supervisor"


ALL_ROLES: frozenset[str] = frozenset(Role.values)

# Roles whose work needs to see a person's record (victim, suspect, household). IDVAs
# and partner agencies are not police: they see a victim's contact timeline and safe
# contact instructions while their agency works with her (`partners.rules.AGENCY_ROLES`),
# never the police's records of people.
PERSON_READERS: frozenset[str] = frozenset(
    {
        Role.CALL_TAKER,
        Role.INTELLIGENCE,
        Role.OFFICER,
        Role.RESEARCHER,
        Role.DASO,
        Role.INVESTIGATOR,
        Role.MARAC_COORDINATOR,
        Role.SUPERVISOR,
    }
)
# Roles that may record a new person or place, or correct one.
PERSON_WRITERS: frozenset[str] = frozenset(
    {Role.CALL_TAKER, Role.INTELLIGENCE, Role.OFFICER, Role.RESEARCHER, Role.DASO}
)


def role_names(user) -> frozenset[str]:
    """The role names a user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(
            name for name in user.groups.values_list("name", flat=True) if name in ALL_ROLES
        )
        user._role_names = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(role_names(user) & set(roles))


def primary_role(user) -> str | None:
    """The role a user's home page is built for: the first of theirs in Role order."""
    names = role_names(user)
    for value in Role.values:
        if value in names:
            return value
    return None


def role_label(value: str | None) -> str:
    return Role(value).label if value in ALL_ROLES else "Administrator"
