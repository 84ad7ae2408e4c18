"""Pages for people and places."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from cases import rules, selectors, services
from cases.forms import PersonForm, PersonSearchForm
from cases.models import Person
from dasapp import access
from dasapp.permissions import role_required
from dasapp.roles import PERSON_READERS, PERSON_WRITERS


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
            object_type="cases.person",
            detail={
                "fields": sorted(k for k, v in data.items() if v),
                "results": [p.pk for p in results],
            },
        )
    template = "people/_results.html" if request.htmx else "people/search.html"
    return render(
        request,
        template,
        {"form": form, "results": results, "can_create": rules.can_write_people(request.user)},
        status=400 if form.errors else 200,
    )


@role_required(*PERSON_READERS)
@never_cache
def person_detail(request, pk: int):
    person = get_object_or_404(
        rules.people_visible_to(request.user, selectors.people_with_contacts()), pk=pk
    )
    prompt = access.consult_or_ask_purpose(request, obj=person, person_id=person.pk)
    if prompt is not None:
        return prompt
    relationships = selectors.person_relationships(person=person)
    return render(request, "people/detail.html", {"person": person, "relationships": relationships})


@role_required(*PERSON_WRITERS)
@never_cache
def person_create(request):
    """Record a person. Possible duplicates are shown first; the user decides."""
    form = PersonForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = selectors.person_duplicates(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
        )
        if duplicates and not data["confirm_new"]:
            form.add_error(
                "confirm_new",
                "This may be someone already recorded. Open the matching person, or confirm this is a new person",
            )
        else:
            person = _create_from_form(data, request.user)
            messages.success(request, f"{person.full_name} has been recorded")
            return redirect(f"{person_detail_url(person)}?via=person:{person.pk}")
    return render(
        request,
        "people/create.html",
        {"form": form, "duplicates": duplicates},
        status=400 if form.errors else 200,
    )


def person_detail_url(person: Person) -> str:
    from django.urls import reverse

    return reverse("person_detail", args=[person.pk])


@transaction.atomic
def _create_from_form(data: dict, user) -> Person:
    person = services.person_create(
        data=services.PersonInput(
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
        user=user,
    )
    if data["phone"]:
        phone, _ = services.phone_get_or_create(number=data["phone"])
        services.person_phone_link(person=person, phone=phone, is_safe=data["phone_is_safe"])
    if data["address_line1"] and data["postcode"]:
        address, _ = services.address_get_or_create(
            line1=data["address_line1"],
            town=data["address_town"],
            postcode=data["postcode"],
            location_type=data["location_type"] or "urban",
        )
        services.person_address_link(person=person, address=address)
    return person
