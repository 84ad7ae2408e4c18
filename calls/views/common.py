"""What the call pages share: their roles, the incident in hand, refusals and look-up logging."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from calls import intelligence
from calls import rules as call_rules
from calls.choices import IncidentRole
from calls.models import Incident
from dasapp import access
from dasapp.api import ConflictError, DomainError
from dasapp.forms import apply_domain_errors
from dasapp.models import AccessLog
from dasapp.roles import Role

CALL_ROLES = (Role.CALL_TAKER, Role.SUPERVISOR)
INCIDENT_READERS = (Role.CALL_TAKER, Role.INTELLIGENCE, Role.OFFICER, Role.SUPERVISOR)
DISPATCH_ROLES = (Role.CALL_TAKER, Role.INTELLIGENCE, Role.OFFICER, Role.SUPERVISOR)


def _incident_for(request, pk: int, *, edit: bool = False) -> Incident:
    incident = get_object_or_404(
        Incident.objects.select_related("caller_phone", "address", "question_set", "created_by"),
        pk=pk,
    )
    if edit and not call_rules.can_edit_call(request.user, incident):
        raise PermissionDenied
    if not call_rules.can_read_incident(request.user, incident):
        raise PermissionDenied
    return incident


def _refused(form, exc: DomainError, incident: Incident, **kwargs) -> int:
    """Put a service's refusal on the form; answer 409 for someone else's change, with
    the form now on the current version so that saving again, having seen it, goes
    through; else 400."""
    incident.refresh_from_db()
    apply_domain_errors(form, exc, **kwargs)
    if not isinstance(exc, ConflictError):
        return 400
    form.data = form.data.copy()
    form.data["version"] = str(incident.version)
    return 409


def _log_lookup(
    request, incident: Incident, package: intelligence.Package, *, reason: str = ""
) -> None:
    """Log a look-up shown to the call-taker: the row names the first person the number,
    address or call found directly, so a supervisor finds who looked her up; the detail
    lists everyone and everything shown."""
    direct = next((p["id"] for p in package.people if p.get("direct")), None)
    access.log_action(
        request,
        action=AccessLog.Action.SEARCH,
        obj=incident,
        person_id=direct,
        reason=reason or f"Looked up what is known for call {incident.reference}",
        detail={
            "incident": incident.pk,
            **package.shown_ids(),
        },
    )


def _victim_id(incident: Incident) -> int | None:
    return (
        incident.involved.filter(role=IncidentRole.VICTIM)
        .order_by("pk")
        .values_list("person_id", flat=True)
        .first()
    )


def _posted_int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None
