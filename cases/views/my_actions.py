"""Safety-plan actions beyond a case's plan: "My safety-plan actions" for everyone who
may own one (an inspector with patrols past the address, a neighbourhood team, an
IDVA), and "Actions needing attention" for supervisors: their people's actions that are
overdue or were escalated by the sweep. Thin: reads in `cases.safety_selectors`.

Neither list shows a victim's name or an action's free text (it may hold the victim's
details): only case references and catalogue labels, each row linking to the action on
its plan, which logs the view of the case. So each page view writes one access-log
search row listing the actions shown, as other lists do, rather than one per row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cases import safety_selectors as selectors
from cases.models import Case, FollowUp, SafetyAction
from dasapp import access
from dasapp.permissions import role_required
from dasapp.roles import Role

PAGE_SIZE = 50
# In place of an action's own words, which may hold the victim's details.
FREE_TEXT = "Free-text action: see the plan"


@dataclass(frozen=True)
class ActionRow:
    """One action as a list shows it: never the victim, never free text."""

    action: SafetyAction
    reference: str
    what: str
    url: str
    overdue: bool
    escalated: bool
    follow_up: FollowUp | None


def _row(action: SafetyAction, now: dt.datetime) -> ActionRow:
    case_id = action.plan.case_id
    plan = reverse("safety_plan", args=[case_id])
    url = f"{plan}?via=safety_action:{action.pk}#action-{action.pk}"
    follow_ups = getattr(action, "listed_follow_ups", [])
    return ActionRow(
        action=action,
        reference=Case(pk=case_id).reference,
        what=action.action_type.label if action.action_type_id else FREE_TEXT,
        url=url,
        overdue=action.due_at <= now,
        escalated=bool(getattr(action, "escalated", False)),
        follow_up=follow_ups[0] if follow_ups else None,
    )


def _list_page(request, actions, *, template: str, listed: str, extra=None):
    """A page of `actions`, written to the access log as one search naming them."""
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [_row(action, now) for action in page.object_list]
    access.log_search(
        request,
        object_type="cases.safetyaction",
        detail={"list": listed, "page": page.number, "results": [row.action.pk for row in rows]},
    )
    return render(request, template, {"rows": rows, "page": page, **(extra or {})})


@role_required(*selectors.ACTION_OWNER_ROLES)
@never_cache
def my_safety_actions(request):
    """The open actions you, or your team, own: soonest due first, overdue marked."""
    return _list_page(
        request,
        selectors.my_open_actions(user=request.user),
        template="safety/my_actions.html",
        listed="mine",
        extra={"counts": selectors.my_action_counts(user=request.user)},
    )


@role_required(Role.SUPERVISOR)
@never_cache
def safety_actions_attention(request):
    """Your people's open actions that are overdue or were escalated, and any escalated
    to you: soonest due first, with their owner."""
    return _list_page(
        request,
        selectors.actions_needing_attention(user=request.user),
        template="safety/attention.html",
        listed="attention",
    )
