"""Changes to a call once started: abandoning it, the abandoned calls list, regrading it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from calls import rules as call_rules
from calls.choices import AbandonReason, Grade, IncidentStatus
from calls.models import Incident
from calls.selectors import calls as call_selectors
from calls.services import abandon as abandon_services
from calls.services import calls as call_services
from calls.views.common import CALL_ROLES, _incident_for, _log_lookup, _refused, _victim_id
from dasapp import access, local_time
from dasapp.api import DomainError
from dasapp.permissions import role_required
from dasapp.roles import Role, has_role


class AbandonCallForm(forms.Form):
    """Shape only: whether the call may still be abandoned and whether a duplicate's
    reference names another call is the service's to say
    (`abandon_services.incident_abandon`), as for the API."""

    reason = forms.ChoiceField(
        label="Why are you abandoning this call?",
        choices=AbandonReason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    duplicate_of = forms.CharField(
        label="Reference of the other call (for a duplicate)",
        help_text="Needed if this call duplicates another, for example DA-250314-42",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label="Note (optional)",
        help_text="Anything a supervisor reviewing the call should know. Kept in the call's "
        "history",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=abandon_services.NOTE_MAX,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


@role_required(*CALL_ROLES)
@never_cache
@require_http_methods(["GET", "POST"])
def call_abandon(request, pk: int):
    """Abandon a call still in progress (`call_rules.can_abandon_call`: the call-taker who
    started it, or a supervisor), with why. The call is kept, out of the working lists.
    A logged or already abandoned call goes back to its page, saying why."""
    incident = _incident_for(request, pk)
    if not call_rules.may_abandon_calls_of(request.user, incident):
        raise PermissionDenied
    if incident.status == IncidentStatus.ABANDONED:
        messages.info(request, f"Call {incident.reference} was already abandoned")
        return redirect("call_edit", pk=incident.pk)
    if not call_rules.can_abandon_call(request.user, incident):
        messages.error(
            request,
            f"Call {incident.reference} has been logged, so it cannot be abandoned. Close it "
            "with its outcome instead (for example, a duplicate call).",
        )
        return redirect("call_edit", pk=incident.pk)
    form = AbandonCallForm(request.POST or None, initial={"version": incident.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = abandon_services.incident_abandon(
                    incident=incident,
                    user=request.user,
                    reason=data["reason"],
                    duplicate_of=data["duplicate_of"],
                    note=data["note"],
                    version=data["version"],
                )
            except DomainError as exc:
                status = _refused(form, exc, incident)
            else:
                access.log_alteration(
                    request, obj=incident, person_id=_victim_id(incident), change="abandon"
                )
                messages.success(
                    request,
                    f"Call {incident.reference} abandoned: "
                    f"{incident.get_abandon_reason_display().lower()}",
                )
                # The call's page says it was abandoned, and clears the copy of the
                # draft kept on the device.
                return redirect("call_edit", pk=incident.pk)
    else:
        access.log_consult(
            request,
            obj=incident,
            person_id=_victim_id(incident),
            reason="Opened the page to abandon the call",
        )
    return render(
        request,
        "calls/abandon.html",
        {
            "incident": incident,
            "form": form,
            "silent_call_warning": abandon_services.SILENT_CALL_WARNING,
        },
        status=status,
    )


@role_required(Role.SUPERVISOR)
@never_cache
@require_GET
def calls_abandoned(request):
    """The calls most recently abandoned before they were logged, with who started and
    abandoned each and why: for supervisors' call-quality review."""
    abandoned = call_selectors.recent_abandoned_calls()
    access.log_search(
        request,
        object_type="calls.incident",
        reason="Opened the list of abandoned calls",
        detail={"results": [incident.pk for incident in abandoned.calls]},
    )
    return render(request, "calls/abandoned.html", {"abandoned": abandoned})


class RegradeForm(forms.Form):
    """Shape only: whether a reason is needed (a grade other than the suggestion) and
    whether the appointment fits is the service's to say, as for the API
    (`call_services.incident_log_and_grade`); its errors land on these fields. The
    appointment is one typed field read as UK time, as on the call page."""

    grade = forms.ChoiceField(
        label="New grade", choices=Grade.choices, widget=forms.RadioSelect, required=False
    )
    grade_reason = forms.CharField(
        label="Reason for the grade",
        help_text="Needed when the grade is not the suggested one. Kept in the call's history",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    appointment_at = forms.CharField(
        label="Appointment (scheduled grade only)",
        help_text="The date and time agreed with the caller, UK time. For example, "
        "14/12/2026 14:30 or tomorrow 9am",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_appointment_at(self):
        try:
            return local_time.parse_datetime(
                self.cleaned_data["appointment_at"], words="appointment", now=timezone.now()
            )
        except ValueError as exc:
            if self.data.get("grade") in {"", None, Grade.SCHEDULED}:
                raise forms.ValidationError(str(exc)) from None
            return None  # not wanted for this grade, so not held against it


def _why_not_regraded(user, incident: Incident) -> str | None:
    """Why someone who may regrade calls cannot regrade this one, in plain words; None
    for someone who never may (the plain refusal)."""
    may_regrade = has_role(user, Role.SUPERVISOR) or (
        has_role(user, Role.CALL_TAKER) and incident.logged_by_id == user.pk
    )
    if not may_regrade:
        return None
    if incident.status != IncidentStatus.GRADED:
        return (
            f"Call {incident.reference} is {incident.get_status_display().lower()}: "
            "only a call still waiting for an officer can be regraded."
        )
    minutes = call_services.response_settings().regrade_window_minutes
    return (
        f"You can regrade a call you logged only within {minutes} minutes of logging it. "
        "Ask a supervisor to regrade it."
    )


@role_required(*CALL_ROLES)
@never_cache
@require_http_methods(["GET", "POST"])
def call_regrade(request, pk: int):
    """Regrade a logged call (`call_rules.can_regrade_call`: a supervisor, or the call-taker
    who logged it within the regrade window), against a suggestion worked out again
    from the answers and a fresh look-up, which is written to the access log and kept
    with the call as the regrade's intelligence."""
    incident = _incident_for(request, pk)
    if not call_rules.can_regrade_call(request.user, incident):
        reason = _why_not_regraded(request.user, incident)
        if reason is None:
            raise PermissionDenied
        return render(
            request,
            "403.html",
            {
                "reason": reason,
                "back_url": reverse("call_edit", args=[incident.pk]),
                "back_text": f"Back to call {incident.reference}",
            },
            status=403,
        )
    package, _ = call_services.call_lookup(incident)
    _log_lookup(
        request,
        incident,
        package,
        reason=f"Looked up what is known to regrade call {incident.reference}",
    )
    initial = {
        "version": incident.version,
        "grade": incident.grade,
        "appointment_at": local_time.for_field(incident.appointment_at),
    }
    form = RegradeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = call_services.incident_log_and_grade(
                    incident=incident,
                    user=request.user,
                    decision=call_services.GradeDecision(
                        grade=data["grade"],
                        reason=data["grade_reason"],
                        appointment_at=data["appointment_at"],
                        version=data["version"],
                    ),
                    package=package,
                )
            except DomainError as exc:
                status = _refused(form, exc, incident)
            else:
                access.log_alteration(
                    request, obj=incident, person_id=_victim_id(incident), change="regrade"
                )
                messages.success(
                    request, f"Call {incident.reference} regraded: {incident.get_grade_display()}"
                )
                return redirect("call_edit", pk=incident.pk)
    else:
        access.log_consult(
            request,
            obj=incident,
            person_id=_victim_id(incident),
            reason="Opened the page to regrade the call",
        )
    return render(
        request,
        "calls/regrade.html",
        {
            "incident": incident,
            "form": form,
            "suggestion": call_services.suggestion_for(incident, package),
        },
        status=status,
    )
