"""The absences page: supervisors record, end, cancel and correct leave and sickness."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cases import safety_selectors as selectors
from cases import safety_services as services
from dasapp.api import DomainError
from dasapp.date_fields import DateTimeFieldsMixin, _date_time_initial
from dasapp.forms import apply_domain_errors
from dasapp.permissions import role_required
from dasapp.roles import Role
from org.choices import AbsenceKind

# Service field names to form fields.
FIELD_MAP = {
    "starts_at": "starts_at_day",
    "ends_at": "ends_at_day",
}


def _person_label(user) -> str:
    profile = getattr(user, "profile", None)
    name = user.get_full_name() or user.username
    rank = f"{profile.rank} " if profile and profile.rank else ""
    team = f" ({profile.team.name})" if profile and profile.team_id else ""
    return f"{rank}{name}{team}"


class AbsenceForm(DateTimeFieldsMixin, forms.Form):
    date_times = (("starts_at", "start date"), ("ends_at", "end date"))
    user = forms.ModelChoiceField(
        label="Who is away?",
        queryset=None,
        required=False,
        empty_label="Choose a person",
        error_messages={"invalid_choice": "Choose someone you supervise or who is in your team"},
    )
    kind = forms.ChoiceField(
        label="Why?",
        choices=AbsenceKind.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose annual leave, sickness, training or other"},
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=200)

    def __init__(self, *args, supervisor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            selectors.absence_people(supervisor)
            .filter(is_active=True)
            .select_related("profile__team")
            .order_by("last_name", "first_name", "username")
        )
        self.fields["user"].label_from_instance = _person_label
        self._add_date_time_fields()


class AbsenceEndForm(forms.Form):
    reason = forms.CharField(
        label="Why is it ending early?",
        help_text="For example, back early from sickness. Kept in the absence's history "
        "with your name and the time",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=200,
        error_messages={"max_length": "The reason must be 200 characters or fewer"},
    )


class AbsenceCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why was it recorded by mistake?",
        help_text="For example, recorded for the wrong person. Kept in the absence's history "
        "with your name and the time",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=200,
        error_messages={"max_length": "The reason must be 200 characters or fewer"},
    )


class AbsenceChangeForm(DateTimeFieldsMixin, forms.Form):
    date_times = (("starts_at", "start date"), ("ends_at", "end date"))
    reason = forms.CharField(
        label="Why are the dates changing?",
        help_text="For example, leave extended by a week. Kept in the absence's history "
        "with your name and the time",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=200,
        error_messages={"max_length": "The reason must be 200 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_date_time_fields()
        # The reason after the dates, as the page asks.
        self.fields["reason"] = self.fields.pop("reason")


def _absences_page(request, *, form, ending=None, cancelling=None, status=200):
    """The absences page: who is away now or soon (cancelled absences left out), with
    "they are back" and "recorded by mistake" for those the supervisor looks after, and
    the form to record an absence. `ending` and `cancelling` are a refused (absence,
    form): it stays in view with its error."""
    now = timezone.now()
    listed = list(
        selectors.absences_for_user(user=request.user).in_force().filter(ends_at__gt=now)[:200]
    )
    refused, failed = ending or cancelling or (None, None)
    if refused is not None and refused.pk not in {absence.pk for absence in listed}:
        listed.insert(0, refused)
    mine = set(selectors.absence_people(request.user).values_list("pk", flat=True))
    rows = []
    for absence in listed:
        changeable = (
            absence.user_id in mine and absence.ends_at > now and absence.cancelled_at is None
        )
        is_refused = refused is not None and absence.pk == refused.pk
        end_form = failed if is_refused and ending else None
        if end_form is None and changeable and absence.starts_at <= now:
            end_form = AbsenceEndForm(prefix=f"end{absence.pk}")
        cancel_form = failed if is_refused and cancelling else None
        if cancel_form is None and changeable:
            cancel_form = AbsenceCancelForm(prefix=f"cancel{absence.pk}")
        rows.append(
            {
                "absence": absence,
                "end_form": end_form,
                "cancel_form": cancel_form,
                "can_change": changeable,
            }
        )
    if failed is None and form.errors:
        failed = form
    return render(
        request,
        "safety/absences.html",
        {
            "form": failed,  # the page title and the error summary read `form`
            "absence_form": form,
            "rows": rows,
            "now": now,
        },
        status=status,
    )


def _changeable_absence(request, pk: int):
    """An absence the supervisor may end or change: one of their people's."""
    absence = get_object_or_404(selectors.absences_for_user(user=request.user), pk=pk)
    if not selectors.absence_people(request.user).filter(pk=absence.user_id).exists():
        raise PermissionDenied
    return absence


@role_required(Role.SUPERVISOR)
@never_cache
@require_http_methods(["GET", "POST"])
def absences(request):
    """Leave, sickness and training of the people a supervisor looks after: record one,
    see who is away, and end an absence early when someone is back. Routing and the
    follow-up sweep read them at once."""
    form = AbsenceForm(request.POST or None, supervisor=request.user, prefix="absence")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                absence = services.absence_record(
                    user=request.user,
                    person=data.get("user"),
                    kind=data.get("kind") or "",
                    starts_at=data.get("starts_at"),
                    ends_at=data.get("ends_at"),
                    note=data.get("note") or "",
                )
            except DomainError as exc:
                apply_domain_errors(form, exc, field_map=FIELD_MAP)
            else:
                messages.success(
                    request,
                    f"{absence.get_kind_display()} recorded for "
                    f"{absence.user.get_full_name() or absence.user.username}",
                )
                return redirect(reverse("absences"))
        status = 400
    return _absences_page(request, form=form, status=status)


@role_required(Role.SUPERVISOR)
@require_POST
def absence_end(request, pk: int):
    """They are back: end the absence now, with a reason kept in its history."""
    absence = _changeable_absence(request, pk)
    end_form = AbsenceEndForm(request.POST, prefix=f"end{absence.pk}")
    if end_form.is_valid():
        try:
            services.absence_end(
                absence=absence, user=request.user, reason=end_form.cleaned_data["reason"]
            )
        except DomainError as exc:
            apply_domain_errors(end_form, exc, field_map=FIELD_MAP)
        else:
            name = absence.user.get_full_name() or absence.user.username
            messages.success(
                request, f"{name} is back: their {absence.get_kind_display().lower()} has ended"
            )
            return redirect(reverse("absences"))
    form = AbsenceForm(supervisor=request.user, prefix="absence")
    return _absences_page(request, form=form, ending=(absence, end_form), status=400)


@role_required(Role.SUPERVISOR)
@require_POST
def absence_cancel(request, pk: int):
    """Recorded by mistake: cancel the absence, with a reason kept in its history. Actions
    the sweep moved because of it stay where they are; their history says so."""
    absence = _changeable_absence(request, pk)
    cancel_form = AbsenceCancelForm(request.POST, prefix=f"cancel{absence.pk}")
    if cancel_form.is_valid():
        try:
            cancelled, moved = services.absence_cancel(
                absence=absence, user=request.user, reason=cancel_form.cleaned_data["reason"]
            )
        except DomainError as exc:
            apply_domain_errors(cancel_form, exc, field_map=FIELD_MAP)
        else:
            name = cancelled.user.get_full_name() or cancelled.user.username
            stays = ""
            if len(moved) == 1:
                stays = (
                    " The safety-plan action moved because of it stays with whoever has it "
                    "now; its history says the absence was cancelled."
                )
            elif moved:
                stays = (
                    f" The {len(moved)} safety-plan actions moved because of it stay with "
                    "whoever has them now; their history says the absence was cancelled."
                )
            messages.success(
                request,
                f"{name}'s {cancelled.get_kind_display().lower()} is cancelled: it no longer "
                f"counts.{stays}",
            )
            return redirect(reverse("absences"))
    form = AbsenceForm(supervisor=request.user, prefix="absence")
    return _absences_page(request, form=form, cancelling=(absence, cancel_form), status=400)


@role_required(Role.SUPERVISOR)
@never_cache
@require_http_methods(["GET", "POST"])
def absence_change(request, pk: int):
    """Correct an absence's dates, with a reason kept in its history."""
    absence = _changeable_absence(request, pk)
    initial = {
        **_date_time_initial("starts_at", absence.starts_at),
        **_date_time_initial("ends_at", absence.ends_at),
    }
    form = AbsenceChangeForm(request.POST or None, initial=initial, prefix="change")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.absence_change(
                    absence=absence,
                    user=request.user,
                    starts_at=data.get("starts_at"),
                    ends_at=data.get("ends_at"),
                    reason=data.get("reason") or "",
                )
            except DomainError as exc:
                apply_domain_errors(form, exc, field_map=FIELD_MAP)
            else:
                name = absence.user.get_full_name() or absence.user.username
                messages.success(request, f"The dates of {name}'s absence are changed")
                return redirect(reverse("absences"))
        status = 400
    return render(
        request,
        "safety/absence_change.html",
        {"form": form if form.errors else None, "change_form": form, "absence": absence},
        status=status,
    )
