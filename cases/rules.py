"""Who may do what with people, places and (later) cases. Views, API views and
templates ask these predicates; selectors use the scoping helpers to filter lists."""

from __future__ import annotations

from dasapp.roles import PERSON_READERS, PERSON_WRITERS, has_role


def can_read_people(user) -> bool:
    return has_role(user, *PERSON_READERS)


def can_write_people(user) -> bool:
    return has_role(user, *PERSON_WRITERS)


def people_visible_to(user, queryset):
    """Scope a Person queryset to what `user` may see.

    Police and unit roles see every person (the look-up must find everyone); partner
    agencies see nobody here: their access comes through the MARAC cases shared with
    them (the MARAC issue adds that scope).
    """
    if can_read_people(user):
        return queryset
    return queryset.none()
