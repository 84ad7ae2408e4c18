"""Pages for which agencies work with a victim: "My agency's victims" for the staff of
an IDVA service or partner agency, and recording by hand that an agency works with her
(DASOs and supervisors who work a case of hers) or that it no longer does (they, or the
agency's own staff). Thin: rules in `cases.rules`, writes in
`partners.services.involvements`, reads in `partners.selectors.involvements`. Every page that
shows her is logged as a consultation; each change as a collection or an alteration."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dasapp import access
from dasapp.api import DomainError
from dasapp.forms import apply_domain_errors
from dasapp.models import AccessLog
from dasapp.permissions import role_required
from partners import rules as partner_rules
from partners.models import AgencyInvolvement
from partners.selectors import contacts as contact_selectors
from partners.selectors import involvements as selectors
from partners.services import involvements as services
from people.models import Person

REASON_FIELD = {
    "widget": forms.Textarea(attrs={"rows": 3}),
    "required": False,
    "max_length": services.REASON_MAX,
    "error_messages": {
        "max_length": f"The reason must be {services.REASON_MAX:,} characters or fewer"
    },
}


class InvolvementStartForm(forms.Form):
    """Shape only: the rules (an agency that may work with her and is not already, a
    reason) are the service's, whose errors land here."""

    agency = forms.TypedChoiceField(
        label="Which agency is working with her?",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why?",
        help_text="For example, the victim agreed to a referral to victim support. Kept in "
        "the record's history with your name and the time",
        **REASON_FIELD,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {team.pk: team for team in selectors.agency_choices()}
        self.fields["agency"].choices = [(pk, team.name) for pk, team in self.agencies.items()]
        self.fields["agency"].error_messages["invalid_choice"] = "Choose an agency from the list"


class InvolvementEndForm(forms.Form):
    reason = forms.CharField(
        label="Why is the agency no longer working with her?",
        help_text="For example, the IDVA closed her case. Kept in the record's history with "
        "your name and the time",
        **REASON_FIELD,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _timeline_url(victim_pk: int, via: str) -> str:
    return f"{reverse('contact_timeline', args=[victim_pk])}{f'?via={via}' if via else ''}"


@role_required(*partner_rules.AGENCY_ROLES)
@never_cache
def agency_victims(request):
    """The victims the user's agency works with now, by name, each linking to her
    contact timeline. Nothing of her cases. Logged as a search listing who was shown."""
    rows = list(selectors.agency_victims(user=request.user))
    access.log_search(
        request,
        object_type="people.person",
        detail={"agency_victims": True, "results": [row.victim_id for row in rows]},
    )
    profile = getattr(request.user, "profile", None)
    return render(
        request,
        "involvements/agency_victims.html",
        {"rows": rows, "agency": profile.team if profile and profile.team_id else None},
    )


def _victim_or_404(request, pk: int) -> Person:
    victim = contact_selectors.contact_victim(user=request.user, pk=pk)
    if victim is None:
        raise Http404
    return victim


@role_required(*partner_rules.INVOLVEMENT_RECORDERS)
@never_cache
@require_http_methods(["GET", "POST"])
def involvement_create(request, pk: int):
    """Record that an agency works with the victim, with a reason, from a case of hers
    the user works."""
    victim = _victim_or_404(request, pk)
    cases = partner_rules.involvement_cases(request.user, victim)
    if not cases:
        raise PermissionDenied
    via = access.work_item_for(request, obj=victim, person_id=victim.pk)
    asking = "purpose" in request.POST or not access.reason_given(
        request, obj=victim, person_id=victim.pk
    )
    if request.method == "GET" or asking:
        prompt = access.consult_or_ask_purpose(request, obj=victim, person_id=victim.pk)
        if prompt is not None:
            return prompt
        return _start_page(request, victim, InvolvementStartForm(), via)
    form = InvolvementStartForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            involvement = services.involvement_start(
                victim=victim,
                agency=form.agencies.get(data["agency"]) if data["agency"] else None,
                user=request.user,
                reason=data["reason"],
                case=cases[0],
            )
        except DomainError as exc:
            apply_domain_errors(form, exc)
        else:
            access.log_action(
                request,
                action=AccessLog.Action.COLLECT,
                obj=involvement,
                person_id=victim.pk,
                reason="Recorded an agency working with the victim",
                detail={"agency": involvement.agency_id, "case": involvement.case_id},
            )
            messages.success(
                request,
                f"{involvement.agency.name} is now working with her and can read and add to "
                "her contact timeline",
            )
            return redirect(_timeline_url(victim.pk, via))
    access.log_consult(
        request, obj=victim, person_id=victim.pk, purpose=access.purpose_given(request, obj=victim)
    )
    return _start_page(request, victim, form, via, status=400)


def _start_page(request, victim, form, via, status=200):
    return render(
        request,
        "involvements/start.html",
        {"victim": victim, "form": form, "via": via},
        status=status,
    )


def _involvement_or_404(request, pk: int, involvement_pk: int) -> AgencyInvolvement:
    involvement = selectors.involvement_for(user=request.user, pk=involvement_pk)
    if involvement is None or involvement.victim_id != pk:
        raise Http404
    return involvement


@role_required(*partner_rules.INVOLVEMENT_RECORDERS, *partner_rules.AGENCY_ROLES)
@never_cache
@require_http_methods(["GET", "POST"])
def involvement_end(request, pk: int, involvement_pk: int):
    """End an agency's work with the victim, with a reason. Her agency's staff no longer
    see her contact timeline afterwards; they are sent back to their list."""
    involvement = _involvement_or_404(request, pk, involvement_pk)
    victim = involvement.victim
    # One already ended is refused by the service, which says when.
    if involvement.is_open and not partner_rules.can_end_involvement(request.user, involvement):
        raise PermissionDenied
    via = access.work_item_for(request, obj=victim, person_id=victim.pk)
    asking = "purpose" in request.POST or not access.reason_given(
        request, obj=victim, person_id=victim.pk
    )
    if request.method == "GET" or asking:
        prompt = access.consult_or_ask_purpose(request, obj=victim, person_id=victim.pk)
        if prompt is not None:
            return prompt
        form = InvolvementEndForm(initial={"version": involvement.version})
        return _end_page(request, involvement, form, via)
    form = InvolvementEndForm(request.POST)
    if form.is_valid():
        try:
            ended = services.involvement_end(
                involvement=involvement,
                user=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data.get("version"),
            )
        except DomainError as exc:
            apply_domain_errors(form, exc)
        else:
            access.log_alteration(request, obj=ended, person_id=victim.pk, change="end")
            messages.success(request, f"{ended.agency.name} is no longer working with her")
            if partner_rules.can_see_contacts(request.user, victim):
                return redirect(_timeline_url(victim.pk, via))
            return redirect(reverse("agency_victims"))
    access.log_consult(
        request, obj=victim, person_id=victim.pk, purpose=access.purpose_given(request, obj=victim)
    )
    return _end_page(request, involvement, form, via, status=400)


def _end_page(request, involvement, form, via, status=200):
    return render(
        request,
        "involvements/end.html",
        {"involvement": involvement, "victim": involvement.victim, "form": form, "via": via},
        status=status,
    )
