"""Who may read and write people and places. Views, API views and templates ask these."""

from __future__ import annotations

from dasapp.roles import PERSON_READERS, PERSON_WRITERS, has_role


def can_read_people(user) -> bool:
    return has_role(user, *PERSON_READERS)


def can_write_people(user) -> bool:
    return has_role(user, *PERSON_WRITERS)


def people_visible_to(user, queryset):
    """Scope a Person queryset to what `user` may see.

    Police and unit roles see every person (the look-up must find everyone); IDVAs and
    partner agencies see nobody here: they see the contact timeline of a victim their
    agency works with (`can_see_contacts`), and the MARAC issue adds the cases shared
    with them.
    """
    if can_read_people(user):
        return queryset
    return queryset.none()
