"""Filter sets for people and places, shared by the API's GET filters and its POST search.

Searching ranks matches (`cases.selectors.person_search`); the filter set checks the
terms with the same rules as the pages (`cases.matching`) and narrows an already
scoped queryset to the ranked people, best first.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Case, IntegerField, QuerySet, Value, When

from cases import matching, selectors, services
from cases import models as case_models
from cases.models import Address, Person

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


# Cases: one filter set for the queue page and `cases/` in the API. ---------------------


def _breached(queryset, name, value):
    """Only cases past their review target (a false or missing value filters nothing)."""
    from django.utils import timezone

    return queryset.filter(review_due_at__lt=timezone.now()) if value else queryset


def _owner_away(queryset, name, value):
    """Only cases whose owner is away now or before the review target, or switched off
    (`cases.case_cover_selectors`); a false or missing value filters nothing."""
    from cases.case_cover_selectors import owner_away_filter

    return owner_away_filter(queryset) if value else queryset


class CaseFilter(django_filters.FilterSet):
    """Narrow a list of cases already scoped to what the user may see."""

    queue = django_filters.NumberFilter(field_name="queue_id", help_text="A queue's id.")
    team = django_filters.CharFilter(
        field_name="queue__team__code",
        max_length=40,
        help_text="The code of the team whose queue holds the case (see the teams in the admin).",
    )
    risk_level = django_filters.ChoiceFilter(
        choices=case_models.Case._meta.get_field("risk_level").choices,
        empty_label="All levels",
        label="Risk level",
    )
    status = django_filters.ChoiceFilter(
        choices=case_models.Case._meta.get_field("status").choices, empty_label="Any status"
    )
    district = django_filters.ModelChoiceFilter(
        queryset=case_models.District.objects.order_by("name"),
        empty_label="All districts",
        label="District",
        help_text="A district's id.",
    )
    breached = django_filters.BooleanFilter(
        method=_breached,
        widget=forms.CheckboxInput,
        label="Only cases past their review target",
        help_text="true: only cases past their queue's review target.",
    )
    owner = django_filters.NumberFilter(
        field_name="assigned_to_id", label="Owner", help_text="The owner's user id."
    )
    owner_away = django_filters.BooleanFilter(
        method=_owner_away,
        widget=forms.CheckboxInput,
        label="Only cases whose owner is away",
        help_text="true: only cases whose owner is away (a recorded absence) now or before "
        "the case's review target, or whose owner's account is switched off.",
    )

    class Meta:
        model = case_models.Case
        fields: list[str] = []

    # The queue page shares this filter set with the API. `help_text` is written for the
    # API's schema ("A district's id."); the page shows these hints instead (empty: none).
    PAGE_HINTS = {
        "district": "",
        "breached": "Cases not reviewed within the queue's target time",
        "owner": "",
        "owner_away": "Away now or before the case's review target, or account switched off",
    }

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name, hint in self.PAGE_HINTS.items():
                if name in form.fields:
                    form.fields[name].help_text = hint
        return self._form
