"""The access log's filters: who, when (London dates), which person or record, and what
kind of access. One FilterSet for the page and its CSV export.

Query strings carry ids and references only (a person's id, "C-000001"), never a name.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet

from dasapp import access
from dasapp.models import AccessLog, User

LONDON = ZoneInfo(settings.TIME_ZONE)
DATE_PARTS = ("day", "month", "year")


def _date_field(part: str) -> forms.CharField:
    return forms.CharField(required=False, max_length=4 if part == "year" else 2)


class AccessLogFilterForm(forms.Form):
    """The filter form, with each date as the GOV.UK date input's three boxes."""

    from_day, from_month, from_year = (_date_field(p) for p in DATE_PARTS)
    to_day, to_month, to_year = (_date_field(p) for p in DATE_PARTS)

    def _date(self, prefix: str, label: str) -> dt.date | None:
        parts = [(self.cleaned_data.get(f"{prefix}_{p}") or "").strip() for p in DATE_PARTS]
        if not any(parts):
            return None
        if not all(parts):
            missing = " and ".join(p for p, v in zip(DATE_PARTS, parts, strict=True) if not v)
            self.add_error(f"{prefix}_day", f"{label} must include a {missing}")
            return None
        try:
            day, month, year = (int(v) for v in parts)
            if year < 1000:
                raise ValueError
            return dt.date(year, month, day)
        except ValueError:
            self.add_error(f"{prefix}_day", f"{label} must be a real date")
            return None

    def clean(self):
        cleaned = super().clean()
        cleaned["from_date"] = self._date("from", "The date from")
        cleaned["to_date"] = self._date("to", "The date to")
        if (
            cleaned["from_date"]
            and cleaned["to_date"]
            and cleaned["to_date"] < cleaned["from_date"]
        ):
            self.add_error("to_day", "The date to must be the same as or after the date from")
        return cleaned

    def clean_record(self):
        text = (self.cleaned_data.get("record") or "").strip()
        if text and access.record_for_reference(text) is None:
            raise forms.ValidationError(
                "Enter a case, call or DV1 reference, like C-000001, DA-260314-12 or DV1-000003"
            )
        return text.upper()


def london_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in London, as an aware datetime (stored times are UTC)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)


class AccessLogFilter(django_filters.FilterSet):
    user = django_filters.ModelChoiceFilter(
        label="Who",
        queryset=User.objects.order_by("first_name", "last_name", "username"),
        empty_label="Anyone",
    )
    action = django_filters.ChoiceFilter(
        label="Kind of access", choices=AccessLog.Action.choices, empty_label="Any"
    )
    # Set by a person's "Who viewed this record" link: her id, never her name.
    person = django_filters.NumberFilter(
        label="Person", method="filter_person", min_value=1, widget=forms.HiddenInput
    )
    record = django_filters.CharFilter(
        label="Case, call or DV1 reference", method="filter_record", max_length=30
    )

    class Meta:
        model = AccessLog
        form = AccessLogFilterForm
        fields = ["user", "action", "person", "record"]

    def filter_person(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # Every view of a person's record carries her id; so do the views of her cases,
        # calls and DV1s that name her.
        pk = int(value)
        return queryset.filter(
            Q(person_id=pk) | Q(object_type=access.PERSON_TYPE, object_id=str(pk))
        )

    def filter_record(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        found = access.record_for_reference(value)
        if found is None:
            return queryset.none()
        object_type, object_id = found
        return queryset.filter(object_type=object_type, object_id=object_id)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The form also holds the dates' boxes, which are not filters of their own.
        for name, value in self.form.cleaned_data.items():
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        start, end = self.form.cleaned_data.get("from_date"), self.form.cleaned_data.get("to_date")
        if start:
            queryset = queryset.filter(at__gte=london_midnight(start))
        if end:
            queryset = queryset.filter(at__lt=london_midnight(end + dt.timedelta(days=1)))
        return queryset

    def used(self) -> dict[str, str]:
        """The filters given, as ids and references (for the export's disclosure row)."""
        if not self.form.is_valid():
            return {}
        data = self.form.cleaned_data
        used = {
            "user": str(data["user"].pk) if data.get("user") else "",
            "action": data.get("action") or "",
            "person": str(int(data["person"])) if data.get("person") else "",
            "record": data.get("record") or "",
            "from": data["from_date"].isoformat() if data.get("from_date") else "",
            "to": data["to_date"].isoformat() if data.get("to_date") else "",
        }
        return {key: value for key, value in used.items() if value}
