"""The home page's panels of casework: queues, caseloads, tasks, safety-plan actions
and staff absences, each for the roles whose work it is."""

from __future__ import annotations

from django.urls import reverse

from cases import casework_selectors, safety_selectors
from cases.assignment_selectors import caseload_cases
from dasapp.home import (
    ACROSS_ROLES,
    HomeSection,
    due_text,
    plural,
    register_home_panel,
    role_order,
)
from dasapp.roles import Role


def _task_items(tasks, verb: str) -> list:
    return [
        {
            "text": f"{verb} {task.case.reference}{due_text(task.due_at)}",
            "url": f"/cases/{task.case_id}/?via=task:{task.pk}",
        }
        for task in tasks[:20]
    ]


@register_home_panel(roles={Role.OFFICER}, order=role_order(Role.OFFICER, 20))
def challenges_to_answer(user, context) -> HomeSection:
    return HomeSection(
        "Challenges to answer",
        "Nobody has challenged your risk gradings.",
        items=_task_items(
            casework_selectors.challenges_to_answer(user=user), "Answer the challenge on"
        ),
    )


@register_home_panel(roles={Role.RESEARCHER}, order=role_order(Role.RESEARCHER))
def researcher_queues(user, context) -> HomeSection:
    return HomeSection(
        "Standard-risk DV1s to check",
        "The researchers' queue is empty.",
        items=[
            {
                "text": f"{queue.name}: {queue.open_count} open case{'s' if queue.open_count != 1 else ''}"
                + (f", {queue.breached_count} past target" if queue.breached_count else ""),
                "url": f"/queues/{queue.pk}/",
            }
            for queue in casework_selectors.researcher_queues(user=user)
        ],
        link_text="Open your team's queues",
        link_url="/queues/",
    )


@register_home_panel(roles={Role.DASO}, order=role_order(Role.DASO))
def my_queues(user, context) -> HomeSection:
    """The queues of the DASO's team: how many cases wait to be claimed (how many of
    them high risk) and for how long the oldest has waited, and how many are past
    their review target, so that a case waiting in the queue is never hidden behind
    an empty caseload. One query."""
    now = context.now
    items = []
    for queue in casework_selectors.queue_summaries(user=user, now=now):
        if queue.waiting_count:
            high = f" ({queue.waiting_high_count} high risk)" if queue.waiting_high_count else ""
            waiting = (
                f"{plural(queue.waiting_count, 'case')} waiting to be claimed{high}, "
                f"the oldest for {casework_selectors.waiting_text(queue.oldest_waiting_at, now)}"
            )
        else:
            waiting = "no case waiting to be claimed"
        breached = (
            f"; {queue.breached_count} past target"
            if queue.breached_count
            else "; none past target"
        )
        items.append(
            {
                "text": f"{queue.name}: {waiting}{breached} ({plural(queue.open_count, 'open case')})",
                "url": reverse("queue_detail", args=[queue.pk]),
                "tag": "Past target" if queue.breached_count else "",
            }
        )
    return HomeSection(
        "My queues",
        "Your team has no queues.",
        items=items,
        link_text="See every queue of your team",
        link_url="/queues/",
    )


# A DASO's and a researcher's own list: someone holding both roles sees it with each.
@register_home_panel(roles={Role.RESEARCHER}, order=role_order(Role.RESEARCHER, 10))
@register_home_panel(roles={Role.DASO}, order=role_order(Role.DASO, 10))
def my_caseload(user, context) -> HomeSection:
    """The cases the user holds, high risk then the longest waiting (as on /caseload/)."""
    return HomeSection(
        "My caseload",
        "You have no cases assigned.",
        items=[
            {
                "text": f"{case.reference}, {case.get_risk_level_display().lower()} risk"
                f"{due_text(case.review_due_at)}",
                "url": f"/cases/{case.pk}/?via=case:{case.pk}",
            }
            for case in caseload_cases(user=user)[:20]
        ],
        link_text="See your whole caseload",
        link_url="/caseload/",
    )


@register_home_panel(roles={Role.DASO}, order=role_order(Role.DASO, 20))
def safety_actions_due(user, context) -> HomeSection:
    """Open safety-plan actions the user or their team owns, overdue or due within a week."""
    return HomeSection(
        "Safety-plan actions due",
        "No safety-plan actions are due.",
        items=[
            {
                "text": f"{'Overdue: ' if action.due_at <= context.now else ''}"
                f"{action.action_type.label if action.action_type_id else 'Action'} on "
                f"{action.plan.case.reference}{due_text(action.due_at)}",
                "url": f"/cases/{action.plan.case_id}/safety-plan/?via=safety_action:{action.pk}"
                f"#action-{action.pk}",
            }
            for action in safety_selectors.actions_due(user=user)
        ],
    )


@register_home_panel(roles={Role.SUPERVISOR}, order=role_order(Role.SUPERVISOR))
def supervisor_reviews(user, context) -> HomeSection:
    return HomeSection(
        "Reviews waiting for you",
        "Nothing is waiting for your review.",
        items=_task_items(
            casework_selectors.supervisor_reviews(user=user), "Review the lowered risk level on"
        ),
    )


@register_home_panel(roles={Role.SUPERVISOR}, order=role_order(Role.SUPERVISOR, 10))
def queue_backlogs(user, context) -> HomeSection:
    return HomeSection(
        "Queue backlogs",
        "No queue is over its target.",
        items=[
            {
                "text": f"{queue.name}: {queue.breached_count} past target",
                "url": f"/queues/{queue.pk}/?breached=true",
            }
            for queue in casework_selectors.backlogged_queues(user=user)
        ],
        link_text="See every queue",
        link_url="/queues/",
    )


@register_home_panel(roles=None, order=ACROSS_ROLES + 10)
def my_safety_actions(user, context) -> HomeSection | None:
    """For those who may own safety-plan actions but are not DASOs (whose "Safety-plan
    actions due" lists theirs): how many they or their team hold, and how many are
    overdue; for supervisors, how many of their people's actions are overdue or were
    escalated. Each links to its page."""
    names = context.names
    owner = bool(names & safety_selectors.ACTION_OWNER_ROLES) and Role.DASO not in names
    supervisor = safety_selectors.can_see_attention(user)
    if not (owner or supervisor):
        return None
    items = []
    if owner:
        counts = safety_selectors.my_action_counts(user=user)
        items.append(
            {
                "text": f"{counts.open} open action{'s' if counts.open != 1 else ''}, "
                f"{counts.overdue} overdue",
                "url": reverse("my_safety_actions"),
            }
        )
    if supervisor:
        waiting = safety_selectors.attention_count(user=user)
        items.append(
            {
                "text": f"{waiting} overdue or escalated action"
                f"{' needs' if waiting == 1 else 's need'} your attention",
                "url": reverse("safety_actions_attention"),
            }
        )
    return HomeSection(
        "My safety-plan actions" if owner else "Actions needing attention", "", items=items
    )


@register_home_panel(roles={Role.SUPERVISOR}, order=ACROSS_ROLES + 30)
def staff_absences(user, context) -> HomeSection:
    return HomeSection(
        "Staff absences",
        "",
        link_text="Record leave or sickness for your team",
        link_url="/absences/",
    )
