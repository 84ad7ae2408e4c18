"""Filter sets for cases, shared by the case list page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone

from cases.case_cover_selectors import owner_away_filter
from cases.models import Case
from org.models import District


def _breached(queryset, name, value):
    """Only cases past their review target (a false or missing value filters nothing)."""
    return queryset.filter(review_due_at__lt=timezone.now()) if value else queryset


def _owner_away(queryset, name, value):
    """Only cases whose owner is away now or before the review target, or switched off
    (`cases.case_cover_selectors`); a false or missing value filters nothing."""
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
        choices=Case._meta.get_field("risk_level").choices,
        empty_label="All levels",
        label="Risk level",
    )
    status = django_filters.ChoiceFilter(
        choices=Case._meta.get_field("status").choices, empty_label="Any status"
    )
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.order_by("name"),
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
        model = Case
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
