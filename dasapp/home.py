"""What each role's home page shows. Later capabilities add their sections here."""

from __future__ import annotations

from dataclasses import dataclass, field

from dasapp.roles import Role, role_names


@dataclass
class HomeSection:
    title: str
    empty_text: str
    items: list = field(default_factory=list)
    link_text: str = ""
    link_url: str = ""


# Every section here lists real work (see _SECTION_ITEMS): never a fixed "nothing to do".
# Investigators, MARAC coordinators, IDVAs and partner agencies have no list of their own
# yet; they see their agency's victims and their safety-plan actions (below).
_ROLE_SECTIONS: dict[str, list[tuple[str, str]]] = {
    Role.CALL_TAKER: [
        ("Calls in progress", "You have no calls in progress."),
    ],
    Role.INTELLIGENCE: [
        ("Live incidents needing research", "No live incidents need research."),
    ],
    Role.OFFICER: [
        ("Calls to attend", "No calls are waiting for an officer."),
        ("DV1 forms to complete", "You have no DV1 drafts."),
        ("Challenges to answer", "Nobody has challenged your risk gradings."),
    ],
    Role.RESEARCHER: [
        ("Standard-risk DV1s to check", "The researchers' queue is empty."),
        ("My caseload", "You have no cases assigned."),
    ],
    Role.DASO: [
        ("My queues", "Your team has no queues."),
        ("My caseload", "You have no cases assigned."),
        ("Safety-plan actions due", "No safety-plan actions are due."),
    ],
    Role.SUPERVISOR: [
        ("Reviews waiting for you", "Nothing is waiting for your review."),
        ("Queue backlogs", "No queue is over its target."),
    ],
}


def _calls_in_progress(user) -> list:
    from django.urls import reverse

    from calls.selectors.calls import calls_in_progress

    return [
        {
            "text": f"{call.reference}, started {call.created_at:%H:%M}",
            "url": reverse("call_edit", args=[call.pk]),
        }
        for call in calls_in_progress(user=user)[:10]
    ]


def _due(at) -> str:
    from django.utils import timezone

    return f", due {timezone.localtime(at):%-d %b %H:%M}" if at else ""


def _my_caseload(user) -> list:
    """The cases the user holds, high risk then the longest waiting (as on /caseload/)."""
    from cases.assignment_selectors import caseload_cases

    return [
        {
            "text": f"{case.reference}, {case.get_risk_level_display().lower()} risk"
            f"{_due(case.review_due_at)}",
            "url": f"/cases/{case.pk}/?via=case:{case.pk}",
        }
        for case in caseload_cases(user=user)[:20]
    ]


def _researcher_queues(user) -> list:
    from cases.casework_selectors import researcher_queues

    return [
        {
            "text": f"{queue.name}: {queue.open_count} open case{'s' if queue.open_count != 1 else ''}"
            + (f", {queue.breached_count} past target" if queue.breached_count else ""),
            "url": f"/queues/{queue.pk}/",
        }
        for queue in researcher_queues(user=user)
    ]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _my_queues(user) -> list:
    """The queues of the DASO's team: how many cases wait to be claimed (how many of
    them high risk) and for how long the oldest has waited, and how many are past
    their review target, so that a case waiting in the queue is never hidden behind
    an empty caseload. One query."""
    from django.urls import reverse
    from django.utils import timezone

    from cases.casework_selectors import queue_summaries, waiting_text

    now = timezone.now()
    items = []
    for queue in queue_summaries(user=user, now=now):
        if queue.waiting_count:
            high = f" ({queue.waiting_high_count} high risk)" if queue.waiting_high_count else ""
            waiting = (
                f"{_plural(queue.waiting_count, 'case')} waiting to be claimed{high}, "
                f"the oldest for {waiting_text(queue.oldest_waiting_at, now)}"
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
                "text": f"{queue.name}: {waiting}{breached} ({_plural(queue.open_count, 'open case')})",
                "url": reverse("queue_detail", args=[queue.pk]),
                "tag": "Past target" if queue.breached_count else "",
            }
        )
    return items


def _task_items(tasks, verb: str) -> list:
    return [
        {
            "text": f"{verb} {task.case.reference}{_due(task.due_at)}",
            "url": f"/cases/{task.case_id}/?via=task:{task.pk}",
        }
        for task in tasks[:20]
    ]


def _supervisor_reviews(user) -> list:
    from cases.casework_selectors import supervisor_reviews

    return _task_items(supervisor_reviews(user=user), "Review the lowered risk level on")


def _challenges(user) -> list:
    from cases.casework_selectors import challenges_to_answer

    return _task_items(challenges_to_answer(user=user), "Answer the challenge on")


def _queue_backlogs(user) -> list:
    from cases.casework_selectors import backlogged_queues

    return [
        {
            "text": f"{queue.name}: {queue.breached_count} past target",
            "url": f"/queues/{queue.pk}/?breached=true",
        }
        for queue in backlogged_queues(user=user)
    ]


def _safety_actions_due(user) -> list:
    """Open safety-plan actions the user or their team owns, overdue or due within a week."""
    from django.utils import timezone

    from cases.safety_selectors import actions_due

    now = timezone.now()
    return [
        {
            "text": f"{'Overdue: ' if action.due_at <= now else ''}"
            f"{action.action_type.label if action.action_type_id else 'Action'} on "
            f"{action.plan.case.reference}{_due(action.due_at)}",
            "url": f"/cases/{action.plan.case_id}/safety-plan/?via=safety_action:{action.pk}"
            f"#action-{action.pk}",
        }
        for action in actions_due(user=user)
    ]


def _incidents_needing_research(user) -> list:
    """How many live incidents need the intelligence desk, then the five most urgent,
    each with why (references only, never names)."""
    from django.urls import reverse
    from django.utils import timezone

    from calls.selectors.calls import incidents_needing_research

    rows = incidents_needing_research(now=timezone.now())
    if not rows:
        return []
    count = f"{len(rows)} live incident{'s need' if len(rows) != 1 else ' needs'} research"
    return [
        f"{count}. The most urgent:" if len(rows) > 5 else f"{count}:",
        *(
            {
                "text": f"{row.incident.reference}, {row.incident.get_grade_display().lower()}, "
                f"{row.time_left_text}: {'; '.join(row.reasons)}",
                "url": f"{reverse('call_edit', args=[row.incident.pk])}"
                f"?via=incident:{row.incident.pk}",
            }
            for row in rows[:5]
        ),
    ]


def _calls_to_attend(user) -> list:
    """Calls waiting for an officer, most urgent grade first, then the attend-by time,
    each with where it is and the time left (or how long overdue); references and
    places, never names. One query."""
    from django.urls import reverse
    from django.utils import timezone

    from calls.selectors.dispatch import calls_to_attend

    waiting = calls_to_attend(now=timezone.now())
    items: list = [
        {
            "text": f"{row.incident.reference}, {row.incident.get_grade_display().lower()}, "
            f"{row.location}: {row.time_left_text}",
            "url": f"{reverse('call_edit', args=[row.incident.pk])}?via=incident:{row.incident.pk}",
            "tag": "Breached" if row.breached else "",
        }
        for row in waiting.rows
    ]
    if waiting.more:
        items.append(f"More calls are waiting: the {len(waiting.rows)} most urgent are shown.")
    return items


def _dv1_drafts(user) -> list:
    """The DV1s the officer started and has not submitted, oldest first (as they wait
    longest); references only, never names. One query."""
    from django.urls import reverse
    from django.utils import timezone

    from risk.choices import AssessmentStatus
    from risk.models import Assessment

    drafts = (
        Assessment.objects.filter(created_by=user, status=AssessmentStatus.DRAFT)
        .select_related("incident")
        .order_by("created_at", "pk")[:20]
    )
    return [
        {
            "text": f"{draft.reference}"
            + (f" for incident {draft.incident.reference}" if draft.incident_id else "")
            + f", started {timezone.localtime(draft.created_at):%-d %b %H:%M}",
            "url": reverse("dv1_edit", args=[draft.pk])
            + (f"?via=incident:{draft.incident_id}" if draft.incident_id else ""),
        }
        for draft in drafts
    ]


# Sections whose items come from a capability: (role, title) -> function(user) -> items.
_SECTION_ITEMS = {
    (Role.CALL_TAKER, "Calls in progress"): _calls_in_progress,
    (Role.INTELLIGENCE, "Live incidents needing research"): _incidents_needing_research,
    (Role.DASO, "My queues"): _my_queues,
    (Role.DASO, "My caseload"): _my_caseload,
    (Role.DASO, "Safety-plan actions due"): _safety_actions_due,
    (Role.RESEARCHER, "My caseload"): _my_caseload,
    (Role.RESEARCHER, "Standard-risk DV1s to check"): _researcher_queues,
    (Role.SUPERVISOR, "Reviews waiting for you"): _supervisor_reviews,
    (Role.SUPERVISOR, "Queue backlogs"): _queue_backlogs,
    (Role.OFFICER, "Challenges to answer"): _challenges,
    (Role.OFFICER, "Calls to attend"): _calls_to_attend,
    (Role.OFFICER, "DV1 forms to complete"): _dv1_drafts,
}
_SECTION_LINKS = {
    (Role.CALL_TAKER, "Calls in progress"): ("Start or continue a call", "/calls/"),
    (Role.INTELLIGENCE, "Live incidents needing research"): (
        "See every incident needing research",
        "/research/",
    ),
    (Role.DASO, "My queues"): ("See every queue of your team", "/queues/"),
    (Role.DASO, "My caseload"): ("See your whole caseload", "/caseload/"),
    (Role.RESEARCHER, "My caseload"): ("See your whole caseload", "/caseload/"),
    (Role.RESEARCHER, "Standard-risk DV1s to check"): ("Open your team's queues", "/queues/"),
    (Role.SUPERVISOR, "Queue backlogs"): ("See every queue", "/queues/"),
    (Role.OFFICER, "Calls to attend"): ("Open the dispatch board", "/dispatch/"),
    (Role.OFFICER, "DV1 forms to complete"): ("See all your DV1s", "/dv1/"),
}


def _my_safety_actions_section(user, names) -> HomeSection | None:
    """For those who may own safety-plan actions but are not DASOs (whose "Safety-plan
    actions due" lists theirs): how many they or their team hold, and how many are
    overdue; for supervisors, how many of their people's actions are overdue or were
    escalated. Each links to its page."""
    from django.urls import reverse

    from cases import safety_selectors as selectors

    owner = bool(names & selectors.ACTION_OWNER_ROLES) and Role.DASO not in names
    supervisor = selectors.can_see_attention(user)
    if not (owner or supervisor):
        return None
    items = []
    if owner:
        counts = selectors.my_action_counts(user=user)
        items.append(
            {
                "text": f"{counts.open} open action{'s' if counts.open != 1 else ''}, "
                f"{counts.overdue} overdue",
                "url": reverse("my_safety_actions"),
            }
        )
    if supervisor:
        waiting = selectors.attention_count(user=user)
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


def _agency_victims_section(user, names) -> HomeSection | None:
    """For the staff of an IDVA service or partner agency: how many victims their
    agency works with now (no names on the home page), linking to the list."""
    from django.urls import reverse

    from partners import rules
    from partners.selectors import involvements as involvement_selectors

    if not names & rules.AGENCY_ROLES:
        return None
    count = involvement_selectors.agency_victims(user=user).count()
    items = []
    if count:
        items.append(
            {
                "text": f"{count} victim{'s' if count != 1 else ''}: read "
                f"{'their' if count != 1 else 'her'} contact timeline before you contact "
                f"{'them' if count != 1 else 'her'}",
                "url": reverse("agency_victims"),
            }
        )
    return HomeSection(
        "My agency's victims", "Your agency is not working with any victim.", items=items
    )


def _administration_section(user) -> HomeSection | None:
    """For administrators (who may hold no role): where their work is, the Django admin
    (users, teams, rotas, settings) and the system status (the worker's heartbeat)."""
    from django.urls import reverse

    if not (user.is_superuser or user.is_staff):
        return None
    return HomeSection(
        "Administration",
        "",
        items=[
            {
                "text": "Administration: staff accounts, teams, rotas and settings",
                "url": reverse("admin:index"),
            },
            {
                "text": "System status: the database and the background worker",
                "url": reverse("health"),
            },
        ],
    )


def home_sections(user) -> list[HomeSection]:
    names = role_names(user)
    sections: list[HomeSection] = []
    administration = _administration_section(user)
    if administration is not None:
        sections.append(administration)
    for role in Role.values:
        if role not in names:
            continue
        for title, empty in _ROLE_SECTIONS.get(role, []):
            fetch = _SECTION_ITEMS.get((role, title))
            link_text, link_url = _SECTION_LINKS.get((role, title), ("", ""))
            sections.append(
                HomeSection(
                    title,
                    empty,
                    items=fetch(user) if fetch else [],
                    link_text=link_text,
                    link_url=link_url,
                )
            )
    agency_victims = _agency_victims_section(user, names)
    if agency_victims is not None:
        sections.append(agency_victims)
    safety_actions = _my_safety_actions_section(user, names)
    if safety_actions is not None:
        sections.append(safety_actions)
    if Role.SUPERVISOR in names:
        sections.append(
            HomeSection(
                "Access log",
                "",
                link_text="See who viewed which record",
                link_url="/access-log/",
            )
        )
        sections.append(
            HomeSection(
                "Staff absences",
                "",
                link_text="Record leave or sickness for your team",
                link_url="/absences/",
            )
        )
    return sections
