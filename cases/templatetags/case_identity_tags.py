"""`{% case_identity_bar case "summary" %}`: the MOJ identity bar (victim, reference,
risk, owner, how to contact her safely) and the sub-navigation of the case's pages, at
the top of every page of a case. The data comes from one selector call."""

from __future__ import annotations

from django import template

from cases import identity_selectors

register = template.Library()


@register.inclusion_tag("casework/_identity_bar.html", takes_context=True)
def case_identity_bar(context, case, current=""):
    request = context.get("request")
    user = getattr(request, "user", None)
    if case is None or user is None:
        return {"identity": None}
    pk = case if isinstance(case, int) else case.pk
    return {"identity": identity_selectors.case_identity(user=user, pk=pk, current=current)}
