"""Filter sets for people and places, shared by the API's GET filters and its POST search.

Searching ranks matches (`people.selectors.person_search`); the filter set checks the
terms with the same rules as the pages (`people.matching`) and narrows an already
scoped queryset to the ranked people, best first.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Case, IntegerField, QuerySet, Value, When

from people import matching, selectors, services
from people.models import Address, Person

SEARCH_FIELDS = ("name", "date_of_birth", "phone", "postcode")


# A search returns at most one page of the best matches.
SEARCH_LIMIT = 50


DATE_OF_BIRTH_INVALID = "Date of birth must be a real date, like 1990-03-27"


SEARCH_TERM_REQUIRED = "Enter a name, date of birth, phone number or postcode"


def people_matching(
    queryset: QuerySet[Person],
    *,
    name: str = "",
    date_of_birth=None,
    phone: str = "",
    postcode: str = "",
) -> QuerySet[Person]:
    """`queryset` narrowed to the people `person_search` finds, in its order."""
    ranked = selectors.person_search_ids(
        name=name or "",
        date_of_birth=date_of_birth,
        phone=phone or "",
        postcode=postcode or "",
        limit=SEARCH_LIMIT,
    )
    if not ranked:
        return queryset.none()
    order = Case(
        *[When(pk=pk, then=Value(position)) for position, pk in enumerate(ranked)],
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=ranked).order_by(order)


def used_fields(data: dict) -> list[str]:
    """The names (never the values) of the search terms given, for the access log."""
    return sorted(key for key in SEARCH_FIELDS if data.get(key))


class _PersonSearchForm(forms.Form):
    def clean_phone(self):
        raw = self.cleaned_data.get("phone") or ""
        if raw:
            matching.normalise_phone(raw)
        return raw

    def clean_postcode(self):
        raw = self.cleaned_data.get("postcode") or ""
        if raw:
            matching.normalise_postcode(raw)
        return raw


def _applied_in_filter_queryset(queryset, name, value):
    return queryset


class PersonFilter(django_filters.FilterSet):
    """Find people by any of name, date of birth, phone number or postcode.

    All given terms are ranked together, so a search for a name and a postcode puts the
    person who matches both first.
    """

    name = django_filters.CharFilter(
        method=_applied_in_filter_queryset,
        max_length=200,
        help_text="A full or family name; finds spellings that sound alike (Smyth finds Smith).",
    )
    date_of_birth = django_filters.DateFilter(
        method=_applied_in_filter_queryset,
        help_text="ISO date, like 1990-03-27.",
        error_messages={"invalid": DATE_OF_BIRTH_INVALID},
    )
    phone = django_filters.CharFilter(
        method=_applied_in_filter_queryset,
        max_length=30,
        help_text="Any format: 07700 900123, +44 7700 900123 and (07700) 900-123 are one number.",
    )
    postcode = django_filters.CharFilter(
        method=_applied_in_filter_queryset,
        max_length=10,
        help_text="Any case or spacing: co1 1aa and CO1 1AA are one postcode.",
    )

    class Meta:
        model = Person
        fields: list[str] = []
        form = _PersonSearchForm

    def filter_queryset(self, queryset):
        terms = {key: self.form.cleaned_data.get(key) for key in SEARCH_FIELDS}
        if not any(terms.values()):
            return queryset
        return people_matching(queryset, **terms)


class AddressFilter(django_filters.FilterSet):
    """Addresses at a postcode, narrowed by first line; any case, spacing or abbreviation."""

    postcode = django_filters.CharFilter(
        method=_applied_in_filter_queryset,
        max_length=10,
        required=True,
        error_messages={"required": services.POSTCODE_REQUIRED},
        help_text="Required. Any case or spacing: co1 1aa and CO1 1AA are one postcode.",
    )
    line1 = django_filters.CharFilter(
        method=_applied_in_filter_queryset,
        max_length=200,
        help_text="Optional first line; `12 High St.` finds 12 High Street.",
    )

    class Meta:
        model = Address
        fields: list[str] = []
        form = _PersonSearchForm

    def filter_queryset(self, queryset):
        found = selectors.address_find(
            line1=self.form.cleaned_data.get("line1") or "",
            postcode=self.form.cleaned_data.get("postcode") or "",
        )
        return queryset.filter(pk__in=found.values("pk"))
