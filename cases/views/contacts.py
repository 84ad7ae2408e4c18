"""Pages of the one contact timeline per victim: the timeline, and the form to record a
contact. Safe-contact instructions, the last contact and any other agency's recent
contact stand above every contact button. Thin: rules in `cases.rules`, writes in
`cases.contact_services`, reads in `cases.contact_selectors`. Every view is logged as a
consultation and every contact recorded as a collection."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases import contact_selectors as selectors
from cases import contact_services, rules
from cases.choices import CaseStatus, ContactChannel, ContactOutcome
from cases.models import Case, Person
from dasapp import access
from dasapp.api import DomainError
from dasapp.forms import apply_domain_errors
from dasapp.models import AccessLog
from dasapp.permissions import role_required

TIMELINE_PAGE_SIZE = 50
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"


class ContactForm(forms.Form):
    """Shape only: the rules (a channel and outcome from the lists, a time not in the
    future, a team to record against) are the service's, whose errors land here."""

    channel = forms.ChoiceField(
        label="How was the victim contacted?",
        choices=ContactChannel.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    outcome = forms.ChoiceField(
        label="What was the outcome?",
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    at = forms.DateTimeField(
        label="When was the contact?",
        help_text="Date and time, for example 3 March 2026 14:05",
        widget=DateTimeLocalInput(format=DATETIME_LOCAL),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        required=False,
        error_messages={
            "invalid": "Enter the date and time of the contact, for example 3 March 2026 14:05"
        },
    )
    case = forms.TypedChoiceField(label="Case", coerce=int, required=False, empty_value=None)
    note = forms.CharField(
        label="Note (optional)",
        help_text="What was said or agreed, and anything the next person to contact her should know",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=contact_services.NOTE_MAX,
        error_messages={
            "max_length": f"The note must be {contact_services.NOTE_MAX} characters or fewer"
        },
    )

    def __init__(self, *args, cases: list[Case], **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = {case.pk: case for case in cases}
        self.fields["case"].choices = [("", "Not about a particular case")] + [
            (case.pk, f"Case {case.reference}") for case in cases
        ]
        self.fields["case"].error_messages["invalid_choice"] = "Choose one of this victim's cases"


def _victim_or_404(request, pk: int) -> Person:
    victim = selectors.contact_victim(user=request.user, pk=pk)
    if victim is None:
        raise Http404
    return victim


def _via(request, victim: Person) -> str:
    return access.work_item_from(request) or f"person:{victim.pk}"


def _victim_cases(request, victim: Person) -> list[Case]:
    """The victim's open cases that the user may see, to file the contact under."""
    return list(
        rules.cases_visible_to(request.user, Case.objects.all())
        .filter(victim=victim, status=CaseStatus.OPEN)
        .order_by("-opened_at", "-pk")
    )


def _panel_context(request, victim: Person) -> dict:
    return {
        "victim": victim,
        "summary": selectors.contact_summary(victim=victim, user=request.user),
        "safe_numbers": selectors.safe_numbers(victim=victim),
        "via": _via(request, victim),
        "can_record": rules.can_record_contact(request.user, victim),
    }


@role_required(*rules.CONTACT_WORKERS)
@never_cache
@require_http_methods(["GET", "POST"])
def contact_timeline(request, pk: int):
    """Every contact with the victim by any agency, newest first, under her safe-contact
    instructions and the other-agency warning."""
    victim = _victim_or_404(request, pk)
    prompt = access.consult_or_ask_purpose(request, obj=victim, person_id=victim.pk)
    if prompt is not None:
        return prompt
    page = Paginator(selectors.contact_timeline(victim=victim), TIMELINE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = _panel_context(request, victim) | {"page": page, "contacts": page.object_list}
    return render(request, "contacts/timeline.html", context)


def _initial_at() -> str:
    return timezone.localtime().strftime(DATETIME_LOCAL)


@role_required(*rules.CONTACT_WORKERS)
@never_cache
@require_http_methods(["GET", "POST"])
def contact_create(request, pk: int):
    """Record a contact. The safe-contact instructions, the last contact and any other
    agency's recent contact are shown above the form."""
    victim = _victim_or_404(request, pk)
    cases = _victim_cases(request, victim)
    if request.method == "GET" or "purpose" in request.POST:
        prompt = access.consult_or_ask_purpose(request, obj=victim, person_id=victim.pk)
        if prompt is not None:
            return prompt
        work_item = access.work_item_from(request)
        initial = {"at": _initial_at()}
        if work_item.startswith("case:") and int(work_item[5:]) in {c.pk for c in cases}:
            initial["case"] = int(work_item[5:])
        form = ContactForm(initial=initial, cases=cases)
        return render(request, "contacts/record.html", _record_context(request, victim, form))

    form = ContactForm(request.POST, cases=cases)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact = contact_services.contact_record(
                victim=victim,
                user=request.user,
                channel=data["channel"],
                outcome=data["outcome"],
                at=data["at"],
                note=data["note"],
                case=form.cases.get(data["case"]) if data["case"] else None,
            )
        except DomainError as exc:
            apply_domain_errors(form, exc)
        else:
            access.log_action(
                request,
                action=AccessLog.Action.COLLECT,
                obj=contact,
                person_id=victim.pk,
                purpose="Recorded a contact with the victim",
                detail={"agency": contact.agency_id, "case": contact.case_id},
            )
            messages.success(request, "The contact has been added to the victim's timeline")
            return redirect(
                f"{reverse('contact_timeline', args=[victim.pk])}?via={_via(request, victim)}"
            )
    # Shown again with the last contact: a consultation, with the purpose given earlier.
    label = f"{victim._meta.label_lower}:{victim.pk}"
    purpose = request.session.get(access.SESSION_KEY, {}).get(label, "")
    access.log_consult(request, obj=victim, person_id=victim.pk, purpose=purpose)
    return render(
        request, "contacts/record.html", _record_context(request, victim, form), status=400
    )


def _record_context(request, victim: Person, form: ContactForm) -> dict:
    return _panel_context(request, victim) | {"form": form, "has_cases": bool(form.cases)}
