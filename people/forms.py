"""Forms for people and places. Validation lives in `people.matching` and the services;
forms call them so that the page and the API give the same errors."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from people import matching, services
from people.choices import Gender, LocationType
from people.filters import SEARCH_TERM_REQUIRED


class DateInput(forms.DateInput):
    input_type = "date"


class PersonSearchForm(forms.Form):
    name = forms.CharField(label="Name", required=False, max_length=200)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput)
    phone = forms.CharField(label="Phone number", required=False, max_length=30)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)

    def clean_phone(self):
        raw = self.cleaned_data["phone"]
        if raw:
            matching.normalise_phone(raw)
        return raw

    def clean_postcode(self):
        raw = self.cleaned_data["postcode"]
        if raw:
            matching.normalise_postcode(raw)
        return raw

    def clean(self):
        data = super().clean()
        if (
            not any(data.get(k) for k in ("name", "date_of_birth", "phone", "postcode"))
            and not self.errors
        ):
            raise ValidationError(SEARCH_TERM_REQUIRED)
        return data


class PersonForm(forms.Form):
    given_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": services.GIVEN_NAME_REQUIRED},
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": services.FAMILY_NAME_REQUIRED},
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Date of birth must be a real date"},
    )
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, initial=Gender.NOT_KNOWN)
    language = forms.CharField(
        label="First language", max_length=50, initial="English", required=False
    )
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)
    phone = forms.CharField(label="Phone number", required=False, max_length=30)
    phone_is_safe = forms.BooleanField(label="This number is safe to call", required=False)
    address_line1 = forms.CharField(label="Address line 1", required=False, max_length=200)
    address_town = forms.CharField(label="Town or city", required=False, max_length=100)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    location_type = forms.ChoiceField(
        label="Area", choices=LocationType.choices, initial=LocationType.URBAN, required=False
    )
    safe_contact_instructions = forms.CharField(
        label="Safe contact instructions",
        help_text="Who may answer, what to say, what never to do",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    safe_times = forms.CharField(label="Safe times to call", required=False, max_length=200)
    no_voicemail = forms.BooleanField(label="Never leave a voicemail or message", required=False)
    confirm_new = forms.BooleanField(
        label="None of these is the same person: record a new person", required=False
    )

    def clean_date_of_birth(self):
        value = self.cleaned_data.get("date_of_birth")
        services.date_of_birth_check(value)
        return value

    def clean_phone(self):
        raw = self.cleaned_data["phone"]
        return matching.normalise_phone(raw) if raw else ""

    def clean_postcode(self):
        raw = self.cleaned_data["postcode"]
        return matching.normalise_postcode(raw) if raw else ""

    def clean(self):
        data = super().clean()
        if data.get("postcode") and not data.get("address_line1"):
            self.add_error("address_line1", services.LINE1_REQUIRED)
        if data.get("address_line1") and not data.get("postcode") and "postcode" not in self.errors:
            self.add_error("postcode", services.POSTCODE_REQUIRED)
        return data
