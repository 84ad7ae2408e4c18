"""The dispatch board and its actions: an officer's arrival recorded, a call closed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from calls import rules as call_rules
from calls.choices import IncidentOutcome, IncidentStatus
from calls.models import Incident
from calls.selectors import dispatch as dispatch_selectors
from calls.services import dispatch as dispatch_services
from calls.views.common import DISPATCH_ROLES, _incident_for, _posted_int, _refused, _victim_id
from dasapp import access
from dasapp.api import DomainError
from dasapp.permissions import role_required


@role_required(*DISPATCH_ROLES)
@never_cache
def dispatch(request):
    """Calls waiting for an officer, most urgent first, and calls attended but not
    closed, with where each is and its officer-safety flags. Refreshes itself (htmx)."""
    now = timezone.now()
    board = dispatch_selectors.board(now=now)
    for row in [*board.waiting, *board.attended]:
        row.can_act = call_rules.can_dispatch_incident(request.user, row.incident)
    template = "calls/_board.html" if request.htmx else "calls/dispatch.html"
    return render(request, template, {"board": board, "now": now})


# Where the arrival and close buttons send the user back to: the board they came from,
# or, with `from=incident`, the incident's page. A fixed choice, never a URL.
FROM_INCIDENT = "incident"


def _from_incident(request) -> bool:
    return (request.POST.get("from") or request.GET.get("from")) == FROM_INCIDENT


def _back_after_dispatch(request, incident: Incident):
    if _from_incident(request):
        return redirect("call_edit", pk=incident.pk)
    return redirect("dispatch")


@role_required(*call_rules.DISPATCHERS)
@require_POST
def call_attended(request, pk: int):
    """An officer has arrived: recorded now, from the board's "Officer arrived" button or
    the incident page's "Record arrival" (which comes back to the incident page)."""
    incident = _incident_for(request, pk)
    if not call_rules.can_dispatch_incident(request.user, incident):
        raise PermissionDenied
    try:
        incident = dispatch_services.incident_attended(
            incident=incident,
            user=request.user,
            version=_posted_int(request.POST.get("version")),
        )
    except DomainError as exc:
        messages.error(request, f"{incident.reference}: {exc.message}")
        return _back_after_dispatch(request, incident)
    access.log_alteration(request, obj=incident, person_id=_victim_id(incident), change="attended")
    arrived = f"{timezone.localtime(incident.attended_at):%H:%M}"
    late = (
        f", {incident.minutes_late} min after the attend-by time" if incident.attended_late else ""
    )
    messages.success(
        request, f"Officer arrival at {incident.reference} recorded at {arrived}{late}"
    )
    return _back_after_dispatch(request, incident)


class CloseCallForm(forms.Form):
    """Shape only: whether the outcome fits the call and the note is given is the
    service's to say (`dispatch_services.incident_close`)."""

    outcome = forms.ChoiceField(
        label="How did the call end?",
        choices=IncidentOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label="Note",
        help_text="What was done, or why no officer attended. Kept in the call's history",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=dispatch_services.NOTE_MAX,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


@role_required(*call_rules.DISPATCHERS)
@never_cache
@require_http_methods(["GET", "POST"])
def call_close(request, pk: int):
    """Close the call with how it ended and a note, attended or not. Opened from the
    incident page (`from=incident`), it goes back there; else to the dispatch board."""
    incident = _incident_for(request, pk)
    if not call_rules.can_dispatch_incident(request.user, incident):
        raise PermissionDenied
    if incident.status == IncidentStatus.CLOSED:
        messages.info(
            request,
            f"This call was already closed at {timezone.localtime(incident.closed_at):%H:%M}"
            if incident.closed_at
            else "This call was already closed",
        )
        return redirect("call_edit", pk=incident.pk)
    form = CloseCallForm(request.POST or None, initial={"version": incident.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = dispatch_services.incident_close(
                    incident=incident,
                    user=request.user,
                    outcome=data["outcome"],
                    note=data["note"],
                    version=data["version"],
                )
            except DomainError as exc:
                status = _refused(form, exc, incident)
            else:
                access.log_alteration(
                    request, obj=incident, person_id=_victim_id(incident), change="close"
                )
                messages.success(
                    request, f"Call {incident.reference} closed: {incident.get_outcome_display()}"
                )
                return _back_after_dispatch(request, incident)
    else:
        access.log_consult(
            request,
            obj=incident,
            person_id=_victim_id(incident),
            reason="Opened the page to close the call",
        )
    return render(
        request,
        "calls/close.html",
        {"incident": incident, "form": form, "from_incident": _from_incident(request)},
        status=status,
    )
