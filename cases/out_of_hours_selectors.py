"""Reads for out of hours: the alerts the supervisors' pages show, and what a case
shows of who was told (see `cases.out_of_hours`)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from cases import rules
from cases.choices import CaseStatus
from cases.event_verbs import EventVerb
from cases.models import Case, OutOfHoursAlert
from dasapp.models import Event

# Someone has the case in hand: it was claimed, or a supervisor gave it to someone.
TAKEN = (EventVerb.CASE_CLAIMED, EventVerb.CASE_REASSIGNED)


def open_alerts(*, user) -> QuerySet[OutOfHoursAlert]:
    """High-risk cases nobody at work was told about, not yet acknowledged, still open
    and not taken by anyone since (claimed or given to someone: a case released again
    later does not bring the alert back), oldest first: for supervisors only (nobody
    else gets any). One query."""
    if not rules.can_acknowledge_out_of_hours(user):
        return OutOfHoursAlert.objects.none()
    taken = Event.objects.filter(
        case_id=OuterRef("case_id"), verb__in=TAKEN, at__gte=OuterRef("raised_at")
    )
    return (
        OutOfHoursAlert.objects.filter(
            nobody_at_work=True,
            acknowledged_at__isnull=True,
            case__status=CaseStatus.OPEN,
            case__assigned_to__isnull=True,
        )
        .filter(~Exists(taken))
        .select_related("case", "team")
        .order_by("raised_at", "pk")
    )


def case_alerts(*, case: Case) -> QuerySet[OutOfHoursAlert]:
    """The case's out-of-hours alerts, oldest first, with who acknowledged. One query."""
    return case.out_of_hours_alerts.select_related("acknowledged_by__profile").order_by(
        "raised_at", "pk"
    )
