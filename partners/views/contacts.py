"""Pages of the one contact timeline per victim: the timeline, and the form to record a
contact. Safe-contact instructions, the last contact and any other agency's recent
contact stand above every contact button. Thin: rules in `cases.rules`, writes in
`partners.services.contacts`, reads in `partners.selectors.contacts`. Every view is logged as a
consultation and every contact recorded as a collection. Only the victims of cases the
user may read, and for an agency's staff the victims their agency works with, have a
timeline here; anyone else is a 404, as an unknown id is. The timeline lists the
agencies working with her, with the links to record or end that."""

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

from cases import rules
from cases.choices import CaseStatus
from cases.models import Case
from dasapp import access
from dasapp.api import DomainError
from dasapp.date_fields import DateTimeFieldsMixin
from dasapp.forms import apply_domain_errors
from dasapp.models import AccessLog
from dasapp.permissions import role_required
from partners import rules as partner_rules
from partners.choices import ContactChannel, ContactOutcome
from partners.selectors import contacts as selectors
from partners.selectors import involvements as involvement_selectors
from partners.services import contacts as contact_services
from people import rules as people_rules
from people.models import Person

TIMELINE_PAGE_SIZE = 50
# The service's `at` is the date and time asked as a GOV.UK date input and a time.
FIELD_MAP = {"at": "at_day"}


class ContactForm(DateTimeFieldsMixin, forms.Form):
    """Shape only: the rules (a channel and outcome from the lists, a time not in the
    future, a team to record against) are the service's, whose errors land here. When
    is a GOV.UK date input (`at_day`, `at_month`, `at_year`) and a 24-hour `at_time`,
    combined into `cleaned_data["at"]` (None when left empty)."""

    date_times = (("at", "date of the contact"),)

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
        self._add_date_time_fields()
        self.fields["at_time"].help_text = "24-hour clock, for example 14:05"
        self.order_fields(["channel", "outcome", "at_day", "at_month", "at_year", "at_time"])
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
    """The work item to carry on the page's links: the one that brought the user to
    this victim (verified for her), or ""."""
    return access.work_item_for(request, obj=victim, person_id=victim.pk)


def _victim_cases(request, victim: Person) -> list[Case]:
    """The victim's open cases that the user may see, to file the contact under."""
    return list(
        rules.cases_visible_to(request.user, Case.objects.all())
        .filter(victim=victim, status=CaseStatus.OPEN)
        .order_by("-opened_at", "-pk")
    )


def _via_case(work_item: str) -> int | None:
    """The case a verified work item `case:<id>` names (it is about this victim), so that
    her contact pages reached from a case carry the case's identity bar and pages."""
    kind, _, pk = work_item.partition(":")
    return int(pk) if kind == "case" and pk.isdigit() else None


def _panel_context(request, victim: Person) -> dict:
    via = _via(request, victim)
    return {
        "victim": victim,
        "via_case": _via_case(via),
        "summary": selectors.contact_summary(victim=victim, user=request.user),
        "safe_numbers": selectors.safe_numbers(victim=victim),
        "via": via,
        "can_record": partner_rules.can_record_contact(request.user, victim),
        # Her person record is for the roles that read people (not partner agencies).
        "can_open_person": people_rules.can_read_people(request.user),
    }


def _agencies_context(request, victim: Person) -> dict:
    """The agencies working with her (and, for those who record them, those that did),
    with who may record or end one: a fixed number of queries."""
    user = request.user
    may_record = partner_rules.can_record_involvement(user, victim)
    my_agency = partner_rules.agency_team_id(user)
    rows = []
    for involvement in involvement_selectors.victim_involvements(victim=victim):
        if not (involvement.is_open or may_record):
            continue
        rows.append(
            {
                "involvement": involvement,
                "can_end": involvement.is_open
                and (may_record or involvement.agency_id == my_agency),
                # The reason may say more of her circumstances than her agencies need.
                "show_reason": may_record or involvement.agency_id == my_agency,
            }
        )
    return {
        "involvements": [row for row in rows if row["involvement"].is_open],
        "ended_involvements": [row for row in rows if not row["involvement"].is_open],
        "can_record_involvement": may_record,
        # Case references only on the contacts filed under a case the user may read.
        "readable_case_ids": selectors.readable_case_ids(user=user, victim=victim),
    }


@role_required(*partner_rules.CONTACT_WORKERS)
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
    context = (
        _panel_context(request, victim)
        | _agencies_context(request, victim)
        | {"page": page, "contacts": page.object_list}
    )
    return render(request, "contacts/timeline.html", context)


def _initial_at() -> dict:
    """Now, in local time: most contacts are recorded straight after they happen."""
    now = timezone.localtime()
    return {
        "at_day": now.day,
        "at_month": now.month,
        "at_year": now.year,
        "at_time": f"{now:%H:%M}",
    }


def _case_from_work_item(work_item: str, cases: list[Case]) -> int | None:
    kind, _, pk = work_item.partition(":")
    if kind == "case" and pk.isdigit() and int(pk) in {c.pk for c in cases}:
        return int(pk)
    return None


@role_required(*partner_rules.CONTACT_WORKERS)
@never_cache
@require_http_methods(["GET", "POST"])
def contact_create(request, pk: int):
    """Record a contact. The safe-contact instructions, the last contact and any other
    agency's recent contact are shown above the form."""
    victim = _victim_or_404(request, pk)
    cases = _victim_cases(request, victim)
    asking = "purpose" in request.POST or not access.reason_given(
        request, obj=victim, person_id=victim.pk
    )
    if request.method == "GET" or asking:
        # A form posted with no work item and no purpose stated (not from the page) gets
        # the question, and records nothing.
        prompt = access.consult_or_ask_purpose(request, obj=victim, person_id=victim.pk)
        if prompt is not None:
            return prompt
        initial = _initial_at()
        case_pk = _case_from_work_item(_via(request, victim), cases)
        if case_pk is not None:
            initial["case"] = case_pk
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
            apply_domain_errors(form, exc, field_map=FIELD_MAP)
        else:
            access.log_action(
                request,
                action=AccessLog.Action.COLLECT,
                obj=contact,
                person_id=victim.pk,
                reason="Recorded a contact with the victim",
                detail={"agency": contact.agency_id, "case": contact.case_id},
            )
            messages.success(request, "The contact has been added to the victim's timeline")
            via = _via(request, victim)
            return redirect(
                f"{reverse('contact_timeline', args=[victim.pk])}{f'?via={via}' if via else ''}"
            )
    # Shown again with the last contact: a consultation, with the purpose given earlier.
    access.log_consult(
        request, obj=victim, person_id=victim.pk, purpose=access.purpose_given(request, obj=victim)
    )
    return render(
        request, "contacts/record.html", _record_context(request, victim, form), status=400
    )


def _record_context(request, victim: Person, form: ContactForm) -> dict:
    return _panel_context(request, victim) | {"form": form, "has_cases": bool(form.cases)}
