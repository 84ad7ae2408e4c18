"""Claim, release, reassign and close controls on the casework pages (the case page and
the queue page), shown only to those `cases.rules` allows."""

from __future__ import annotations

from django import template
from django.utils import timezone

from cases import rules
from dasapp.roles import Role, has_role

register = template.Library()


@register.inclusion_tag("assignment/_case_actions.html", takes_context=True)
def case_assignment_actions(context, case):
    """On the case page: claim it, release it, reassign it or close it."""
    user = context["request"].user
    own = case.assigned_to_id == user.pk
    return {
        "case": case,
        "via": context.get("via", ""),
        "csrf_token": context.get("csrf_token"),
        "own": own,
        "can_claim": case.assigned_to_id is None and rules.can_claim_case(user, case),
        "can_release": rules.can_release_case(user, case),
        "can_reassign": rules.can_reassign_case(user, case),
        "can_close": rules.can_close_case(user, case),
    }


@register.simple_tag(takes_context=True)
def queue_assignment(context, queue):
    """On the queue page: whether the user claims from it, and (supervisors) the form to
    reassign ticked cases in one go."""
    from cases import case_cover_selectors as cover_selectors
    from cases.views.assignment import BulkReassignForm

    user = context["request"].user
    now = timezone.now()
    can_bulk = has_role(user, Role.SUPERVISOR)
    can_claim = rules.works_queue(user, queue)
    return {
        "can_claim": can_claim,
        "can_bulk": can_bulk,
        "in_form": can_claim or can_bulk,
        "user_id": user.pk,
        # The same choices as reassigning one case: the queue's own staff, then those of
        # other teams covering, each marked away (until when) or not at work.
        "form": BulkReassignForm(
            prefix="bulk",
            staff=cover_selectors.queue_choices(queue=queue, at=now),
            cover=cover_selectors.queue_cover_staff(queue=queue, at=now),
        )
        if can_bulk
        else None,
    }


@register.inclusion_tag("assignment/_queue_row_action.html", takes_context=True)
def queue_row_action(context, case, qa, queue):
    """A queue row's button: claim an unassigned case, release your own."""
    return {
        "case": case,
        "queue": queue,
        "claim": qa["can_claim"] and case.assigned_to_id is None,
        "release": case.assigned_to_id is not None and case.assigned_to_id == qa["user_id"],
    }


@register.simple_tag
def bulk_value(case) -> str:
    """A queue row's checkbox value: the case and the version the supervisor read."""
    from cases.views.assignment import bulk_case_value

    return bulk_case_value(case)
