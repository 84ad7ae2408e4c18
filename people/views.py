"""Pages for people and places."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from dasapp import access
from dasapp.models import AccessLog
from dasapp.permissions import role_required
from dasapp.roles import PERSON_READERS, PERSON_WRITERS
from people import rules as people_rules
from people import selectors, services
from people.choices import NameKind
from people.forms import PersonForm, PersonSearchForm


@role_required(*PERSON_READERS)
@never_cache
def people_search(request):
    """Find a person by name, date of birth, number or postcode (POST: no personal data in URLs)."""
    form = PersonSearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        results = selectors.person_search(
            name=data["name"],
            date_of_birth=data["date_of_birth"],
            phone=data["phone"],
            postcode=data["postcode"],
        )
        access.log_search(
            request,
            object_type="people.person",
            detail={
                "fields": sorted(k for k, v in data.items() if v),
                "results": [p.pk for p in results],
            },
        )
    context = {
        "form": form,
        "results": results,
        "can_create": people_rules.can_write_people(request.user),
    }
    if request.htmx:
        # htmx swaps only 2xx answers: a search with errors answers 200 here, so that the
        # errors replace the form and any earlier results (which would otherwise stay on
        # screen as if they matched the new search). Without JavaScript it is a 400 page.
        return render(request, "people/_search.html", context)
    return render(request, "people/search.html", context, status=400 if form.errors else 200)


@role_required(*PERSON_READERS)
@never_cache
def person_detail(request, pk: int):
    person = get_object_or_404(
        people_rules.people_visible_to(request.user, selectors.people_with_contacts()), pk=pk
    )
    prompt = access.consult_or_ask_purpose(request, obj=person, person_id=person.pk)
    if prompt is not None:
        return prompt
    context = {
        "person": person,
        "other_names": [name for name in person.names.all() if name.kind != NameKind.PRIMARY],
        "relationships": selectors.person_relationships(person=person),
    }
    return render(request, "people/detail.html", context)


@role_required(*PERSON_WRITERS)
@never_cache
def person_create(request):
    """Record a person. Possible duplicates are shown first; the user decides."""
    form = PersonForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(
                data=_registration_from_form(form.cleaned_data),
                user=request.user,
                confirm_new=form.cleaned_data["confirm_new"],
            )
        except services.PossibleDuplicateError as exc:
            duplicates = exc.candidates
            form.add_error("confirm_new", exc.message)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            access.log_action(
                request,
                action=AccessLog.Action.COLLECT,
                obj=person,
                person_id=person.pk,
                reason="Recorded a new person",
            )
            # Shown next without asking why: they have just recorded it. (`person:<id>`
            # vouches for nothing about that person's own record.)
            access.remember_purpose(request, obj=person, purpose="Recorded a new person")
            messages.success(request, f"{person.full_name} has been recorded")
            return redirect(f"{reverse('person_detail', args=[person.pk])}?via=person:{person.pk}")
    return render(
        request,
        "people/create.html",
        {"form": form, "duplicates": duplicates},
        status=400 if form.errors else 200,
    )


# Service fields that the page names differently.
_FORM_FIELD = {"line1": "address_line1", "number": "phone", "town": "address_town"}


def _add_service_errors(form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for key, messages_ in errors.items():
        name = _FORM_FIELD.get(key, key)
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)


def _registration_from_form(data: dict) -> services.PersonRegistration:
    phones = []
    if data["phone"]:
        phones.append(services.PhoneInput(number=data["phone"], is_safe=data["phone_is_safe"]))
    addresses = []
    if data["address_line1"] and data["postcode"]:
        addresses.append(
            services.AddressInput(
                line1=data["address_line1"],
                town=data["address_town"],
                postcode=data["postcode"],
                location_type=data["location_type"] or "urban",
            )
        )
    return services.PersonRegistration(
        person=services.PersonInput(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            gender=data["gender"],
            language=data["language"] or "",
            interpreter_needed=data["interpreter_needed"],
            safe_contact_instructions=data["safe_contact_instructions"],
            safe_times=data["safe_times"],
            no_voicemail=data["no_voicemail"],
        ),
        phones=phones,
        addresses=addresses,
    )
