"""Small checks the casework templates share."""

from __future__ import annotations

from django import template

from cases import rules
from dasapp.roles import has_role

register = template.Library()


@register.filter
def may_open_cases(user) -> bool:
    """Whether `user` may open any case page (researchers, DASOs, supervisors): only
    they get links to cases named in the call-time look-up. Officers, who may open only
    their own cases, and call-takers see the reference without a link."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return has_role(user, *rules.CASE_WORKERS)
