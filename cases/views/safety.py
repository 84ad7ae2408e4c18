"""Safety-plan pages: a case's plan with its actions, owners, due times, follow-ups and
the forms that work it; and the absences page where supervisors record leave and
sickness. Thin: rules in `cases.safety_selectors`, writes in `cases.safety_services`.
Every view of a plan is written to the access log."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cases import owner_selectors
from cases import safety_selectors as selectors
from cases import safety_services as services
from cases.choices import AbsenceKind, ActionStatus
from cases.models import Case, SafetyAction, Team
from dasapp import access
from dasapp.api import ConflictError, DomainError
from dasapp.forms import apply_domain_errors
from dasapp.models import User
from dasapp.permissions import role_required
from dasapp.roles import Role

TIME_RE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


# Dates and times as GOV.UK date inputs (day, month, year) and a 24-hour time ----------


def _date_from(data: dict, prefix: str, label: str) -> dt.date | None:
    """The date in `<prefix>_day/_month/_year`; None when all three are empty."""
    parts = [str(data.get(f"{prefix}_{part}") or "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    if not all(parts):
        missing = [
            name for name, value in zip(("day", "month", "year"), parts, strict=True) if not value
        ]
        raise forms.ValidationError(f"The {label} must include a {' and a '.join(missing)}")
    try:
        day, month, year = (int(p) for p in parts)
        if year < 1000:
            raise ValueError
        return dt.date(year, month, day)
    except ValueError:
        raise forms.ValidationError(f"The {label} must be a real date") from None


def _time_from(text: str, label: str) -> dt.time:
    match = TIME_RE.match(text or "")
    if not match:
        raise forms.ValidationError(f"Enter the {label} as a 24-hour time, like 14:30")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise forms.ValidationError(f"Enter the {label} as a 24-hour time, like 14:30")
    return dt.time(hours, minutes)


def _aware(date: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(date, time, tzinfo=ZoneInfo(settings.TIME_ZONE))


class DateTimeFieldsMixin:
    """Adds `<name>_day/_month/_year/_time` text fields and puts the combined value in
    `cleaned_data[<name>]` (None when left empty: the service says it is needed)."""

    date_times: tuple[tuple[str, str], ...] = ()  # (name, words such as "due date")

    def _add_date_time_fields(self):
        for name, words in self.date_times:
            for part, size in (("day", 2), ("month", 2), ("year", 4)):
                self.fields[f"{name}_{part}"] = forms.CharField(
                    required=False, max_length=size, label=part.capitalize()
                )
            self.fields[f"{name}_time"] = forms.CharField(
                required=False,
                max_length=5,
                label=words.replace("date", "time").capitalize(),
                help_text="24-hour clock, for example 14:30",
            )

    def clean(self):
        data = super().clean()
        for name, words in self.date_times:
            try:
                date = _date_from(data, name, words)
            except forms.ValidationError as exc:
                self.add_error(f"{name}_day", exc)
                continue
            raw_time = data.get(f"{name}_time", "")
            if date is None:
                if raw_time:
                    self.add_error(f"{name}_day", f"Enter the {words}")
                data[name] = None
                continue
            try:
                data[name] = _aware(date, _time_from(raw_time, words.replace("date", "time")))
            except forms.ValidationError as exc:
                self.add_error(f"{name}_time", exc)
        return data


def _date_time_initial(name: str, at: dt.datetime | None) -> dict:
    if at is None:
        return {}
    local = timezone.localtime(at)
    return {
        f"{name}_day": local.day,
        f"{name}_month": local.month,
        f"{name}_year": local.year,
        f"{name}_time": f"{local:%H:%M}",
    }


# Forms: shape only. The rules are the services', whose errors land on these fields. ---


def _person_label(user) -> str:
    profile = getattr(user, "profile", None)
    name = user.get_full_name() or user.username
    rank = f"{profile.rank} " if profile and profile.rank else ""
    team = f" ({profile.team.name})" if profile and profile.team_id else ""
    return f"{rank}{name}{team}"


# An action in the DASO's own words rather than one from the catalogue.
OTHER_ACTION = "other"
DUE_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y, %H:%M")
DUE_EXAMPLE = "for example 14/07/2026 18:00"


def due_from(text: str) -> dt.datetime | None:
    """The due time typed in one date-and-time input, read as Europe/London time: a
    browser's `2026-07-14T18:00`, or `14/07/2026 18:00` typed where the browser has no
    date-time picker. None when empty. Anything else is refused, never read in part; so
    is a time the clocks skip or pass twice (there is no telling which was meant)."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in DUE_FORMATS:
        try:
            naive = dt.datetime.strptime(text, pattern)
            break
        except ValueError:
            continue
    else:
        raise forms.ValidationError(f"Enter the due date and time, {DUE_EXAMPLE}")
    if naive.year < 2000:
        raise forms.ValidationError(f"Enter the due date and time, {DUE_EXAMPLE}")
    zone = ZoneInfo(settings.TIME_ZONE)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    when = f"{naive:%H:%M} on {naive:%-d %B %Y}"
    if first.utcoffset() != second.utcoffset():
        # In the gap the clocks skip, a wall time maps back to itself only one way.
        skipped = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive
        if skipped:
            raise forms.ValidationError(
                f"There is no {when}: the clocks go forward an hour. Choose another time"
            )
        raise forms.ValidationError(
            f"{when[0].upper()}{when[1:]} happens twice as the clocks go back. Choose a time "
            "before 01:00 or after 02:00"
        )
    return first


class OwnerPickerForm(forms.Form):
    """Who owns an action, found by name or team: the picker (static/app/owner_picker.js)
    posts the `owner` or `owner_team` chosen; without JavaScript, what was typed in
    `owner_search` is looked up and the people and teams found come back as
    `owner_choice` to choose from. Whether they may hold it is the service's to say."""

    owner_search = forms.CharField(
        label="Who owns it?",
        help_text="Type a name or a team, then choose from the list. It says who is at "
        "work now and who is away. If they will be away when it falls due, the follow-up "
        "sweep moves it to someone at work.",
        required=False,
        max_length=100,
    )
    # The people and teams found (the values `owner_selectors.owner_from_value` reads,
    # checked there, not against the list: they may be found again differently).
    owner_choice = forms.CharField(
        label="Choose who owns it", required=False, widget=forms.RadioSelect, max_length=40
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.all(), required=False, widget=forms.HiddenInput
    )
    owner_team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, widget=forms.HiddenInput
    )
    # The service's refusals about the owner belong beside the search box.
    field_map = {"owner": "owner_search", "owner_team": "owner_search"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_matches: list = []
        chosen = any(self.data.get(self.add_prefix(name)) for name in ("owner", "owner_team"))
        if self.is_bound and not chosen:
            query = self.data.get(self.add_prefix("owner_search"), "")
            self.owner_matches = owner_selectors.owner_matches(query=query)
            self.fields["owner_choice"].widget.choices = [
                (match.value, match.label) for match in self.owner_matches
            ]

    def clean(self):
        data = super().clean()
        if data.get("owner") or data.get("owner_team"):
            return data
        choice = data.get("owner_choice")
        if choice:
            data["owner"], data["owner_team"] = owner_selectors.owner_from_value(choice)
            if data["owner"] or data["owner_team"]:
                return data
            self.add_error(
                "owner_choice" if self.owner_matches else "owner_search",
                "Choose who owns it from the people and teams found",
            )
            return data
        query = (data.get("owner_search") or "").strip()
        if query and self.owner_matches:
            self.add_error("owner_choice", "Choose who owns it from the people and teams found")
        elif query:
            self.add_error(
                "owner_search",
                f"Nobody who may own an action matches \u201c{query}\u201d: check the "
                "spelling, or search for their team",
            )
        return data


class ActionAddForm(OwnerPickerForm):
    """Shape only (the rules are the service's). The action has no default: "Something
    else" is a choice like the others. The owner is found by name or team
    (`OwnerPickerForm`). The due time is one input."""

    field_order = ["action_type", "description", "owner_search", "owner_choice", "due_at"]

    action_type = forms.ChoiceField(
        label="Action",
        required=False,
        error_messages={"invalid_choice": "Choose an action from the list"},
    )
    description = forms.CharField(
        label="Details, or the action in your own words",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    due_at = forms.CharField(
        label="When is it due?",
        help_text=f"Date and time, {DUE_EXAMPLE}",
        required=False,
        max_length=40,
        # One text input, one tab stop: a browser's date-time picker is a tab stop for
        # each of its parts.
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_type"].choices = [
            ("", "Choose an action"),
            *[(str(kind.pk), kind.label) for kind in selectors.catalogue()],
            (OTHER_ACTION, "Something else (describe it below)"),
        ]

    def clean_action_type(self):
        value = self.cleaned_data.get("action_type") or ""
        if not value:
            raise forms.ValidationError("Select the action")
        if value == OTHER_ACTION:
            return None
        kind = selectors.catalogue().filter(pk=int(value)).first() if value.isdigit() else None
        if kind is None:
            raise forms.ValidationError("Choose an action from the list")
        return kind

    def clean_due_at(self):
        return due_from(self.cleaned_data.get("due_at"))


class ActionCompleteForm(forms.Form):
    note = forms.CharField(
        label="What was done?",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ActionReassignForm(OwnerPickerForm):
    reason = forms.CharField(
        label="Why are you moving it?",
        help_text="Kept in the action's history with your name and the time",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_search"].label = "Who should own it now?"


class ActionCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling it?",
        help_text="For example, the victim declined it or has moved to a refuge. Kept in the "
        "action's history with your name and the time",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PlanAgreeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for part, size in (("day", 2), ("month", 2), ("year", 4)):
            self.fields[f"agreed_at_{part}"] = forms.CharField(
                required=False, max_length=size, label=part.capitalize()
            )

    def clean(self):
        data = super().clean()
        try:
            data["agreed_at"] = _date_from(data, "agreed_at", "date agreed with the victim")
        except forms.ValidationError as exc:
            self.add_error("agreed_at_day", exc)
        return data


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


# Service field names to form fields.
FIELD_MAP = {
    "agreed_at": "agreed_at_day",
    "starts_at": "starts_at_day",
    "ends_at": "ends_at_day",
}


# The plan page ------------------------------------------------------------------------


def _plan_url(request, pk: int) -> str:
    return f"{reverse('safety_plan', args=[pk])}{access.via_query(request)}"


def _case_or_404(request, pk: int) -> Case:
    case = Case.objects.select_related("victim", "queue").filter(pk=pk).first()
    if case is None:
        raise Http404
    plan = selectors.plan_for_case(case=case)
    if not selectors.can_see_plan(request.user, case, plan):
        raise Http404
    case.plan = plan
    return case


def _action_or_404(case: Case, action_pk: int) -> SafetyAction:
    if case.plan is None:
        raise Http404
    return get_object_or_404(
        SafetyAction.objects.select_related("plan__case__queue", "owner", "owner_team"),
        pk=action_pk,
        plan=case.plan,
    )


def _not_at_work_note(action: SafetyAction, why: str | None) -> str:
    """What the plan says under an action whose owner will not be at work when it falls
    due (never the kind of absence)."""
    if why is None:
        return ""
    name = action.owner.get_full_name() or action.owner.username
    then = {
        selectors.AWAY: f"{name} is away then",
        selectors.OFF_SHIFT: f"{name} is off shift then",
        selectors.SWITCHED_OFF: f"{name}'s account is switched off",
    }[why]
    return f"{then}: the follow-up sweep will move it to someone on duty before it is due."


def _context(request, case: Case, *, failed=None, add_form=None, agree_form=None, row_forms=None):
    plan = case.plan
    user = request.user
    now = timezone.now()
    row_forms = row_forms or {}
    can_work = selectors.can_work_plan(user, case) and case.status == "open"
    actions = selectors.plan_actions(plan=plan) if plan else []
    not_at_work = selectors.owners_not_at_work(actions, now=now)
    rows = []
    for action in actions:
        complete = reassign = cancel = None
        if selectors.can_complete_action(user, action):
            complete = row_forms.get(("complete", action.pk)) or ActionCompleteForm(
                prefix=f"complete{action.pk}", initial={"version": action.version}
            )
        if selectors.can_reassign_action(user, action):
            reassign = row_forms.get(("reassign", action.pk)) or ActionReassignForm(
                prefix=f"reassign{action.pk}", initial={"version": action.version}
            )
        if selectors.can_cancel_action(user, action):
            cancel = row_forms.get(("cancel", action.pk)) or ActionCancelForm(
                prefix=f"cancel{action.pk}", initial={"version": action.version}
            )
        rows.append(
            {
                "action": action,
                "overdue": action.status == ActionStatus.OPEN and action.due_at <= now,
                "not_at_work": _not_at_work_note(action, not_at_work.get(action.pk)),
                "complete_form": complete,
                "reassign_form": reassign,
                "cancel_form": cancel,
            }
        )
    context = {
        "case": case,
        "victim": case.victim,
        "plan": plan,
        "rows": rows,
        "can_work": can_work,
        "add_form": (add_form or ActionAddForm(prefix="add")) if can_work else None,
        "agree_form": (
            agree_form
            or PlanAgreeForm(prefix="agree", initial={"version": plan.version if plan else None})
        )
        if can_work
        else None,
        "via": access.via_query(request),
    }
    if failed is not None:
        context["form"] = failed  # the page title and the error summary read `form`
    return context


def _refresh_version(form, version: int | None) -> None:
    """After a conflict the form carries the current version: saving again, having seen
    the other change on the page, goes through."""
    if version is None or "version" not in form.fields:
        return
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data


def _refused(
    request,
    case: Case,
    form,
    exc: DomainError | None,
    *,
    action: SafetyAction | None = None,
    **forms_,
):
    if isinstance(exc, ConflictError) and action is not None:
        fresh = SafetyAction.objects.filter(pk=action.pk).values_list("version", flat=True)
        _refresh_version(form, fresh.first())
    if exc is not None:
        apply_domain_errors(form, exc, field_map={**FIELD_MAP, **getattr(form, "field_map", {})})
    case = _case_or_404(request, case.pk)
    label = f"{case._meta.label_lower}:{case.pk}"
    purpose = request.session.get(access.SESSION_KEY, {}).get(label, "")
    access.log_consult(request, obj=case, person_id=case.victim_id, purpose=purpose)
    status = 409 if isinstance(exc, ConflictError) else 400
    context = _context(request, case, failed=form, **forms_)
    return render(request, "safety/plan.html", context, status=status)


@role_required(*selectors.ACTION_OWNER_ROLES)
@never_cache
@require_http_methods(["GET", "POST"])
def safety_plan(request, pk: int):
    """The case's safety plan: when it was agreed with the victim, its actions with
    owner, due time, status and follow-ups, and the forms for those who work it."""
    case = _case_or_404(request, pk)
    prompt = access.consult_or_ask_purpose(request, obj=case, person_id=case.victim_id)
    if prompt is not None:
        return prompt
    return render(request, "safety/plan.html", _context(request, case))


def _worker_case(request, pk: int) -> Case:
    case = _case_or_404(request, pk)
    if not selectors.can_work_plan(request.user, case):
        raise PermissionDenied
    return case


@role_required(*selectors.PLAN_WORKERS)
@never_cache
@require_http_methods(["GET"])
def safety_owner_search(request, pk: int):
    """The owner picker's look-up (htmx): the people and teams who may hold an action
    whose name or team matches what was typed, saying who is at work now. For those who
    may add actions to this case's plan; the names of staff only, nothing of the victim,
    and what was typed is not kept."""
    _worker_case(request, pk)
    query = request.GET.get("q")
    if query is None:  # htmx sends the search box under its own name
        query = next((v for k, v in request.GET.items() if k.endswith("owner_search")), "")
    query = query.strip()[:100]
    matches = owner_selectors.owner_matches(query=query)
    return render(
        request,
        "safety/_owner_options.html",
        {
            "matches": matches,
            "query": query,
            "too_short": len(query) < owner_selectors.MIN_QUERY,
        },
    )


@role_required(*selectors.PLAN_WORKERS)
@require_POST
def safety_action_add(request, pk: int):
    case = _worker_case(request, pk)
    form = ActionAddForm(request.POST, prefix="add")
    if not form.is_valid():
        return _refused(request, case, form, None, add_form=form)
    data = form.cleaned_data
    try:
        added = services.case_action_add(
            case=case,
            user=request.user,
            action_type=data.get("action_type"),
            description=data.get("description") or "",
            owner=data.get("owner"),
            owner_team=data.get("owner_team"),
            due_at=data.get("due_at"),
        )
    except DomainError as exc:
        return _refused(request, case, form, exc, add_form=form)
    access.log_alteration(request, obj=added, person_id=case.victim_id, change="add")
    messages.success(request, _added_message(added, request.user))
    return redirect(_plan_url(request, pk))


def _added_message(action: SafetyAction, user) -> str:
    """Says so when the new action's owner will not be at work when it falls due: it is
    not refused (the follow-up sweep moves it), but whoever added it should know."""
    told = "" if action.owner_id == user.pk else " Its owner has been told."
    why = selectors.owners_not_at_work([action]).get(action.pk)
    if why is None:
        return f"Action added.{told}"
    name = action.owner.get_full_name() or action.owner.username
    # An owner switched off is refused on adding: away or off shift are left.
    state = "away" if why == selectors.AWAY else "off shift"
    return (
        f"Action added for {name}, who is {state} when it is due: the follow-up sweep will "
        f"move it to someone on duty before then.{told}"
    )


@role_required(*selectors.PLAN_WORKERS)
@require_POST
def safety_plan_agree(request, pk: int):
    case = _worker_case(request, pk)
    form = PlanAgreeForm(request.POST, prefix="agree")
    if not form.is_valid():
        return _refused(request, case, form, None, agree_form=form)
    try:
        services.case_plan_agree(
            case=case,
            user=request.user,
            agreed_at=form.cleaned_data.get("agreed_at"),
            version=form.cleaned_data.get("version"),
        )
    except DomainError as exc:
        return _refused(request, case, form, exc, agree_form=form)
    access.log_alteration(request, obj=case, person_id=case.victim_id, change="agree_plan")
    messages.success(request, "The date the plan was agreed with the victim is recorded")
    return redirect(_plan_url(request, pk))


@role_required(*selectors.ACTION_OWNER_ROLES)
@require_POST
def safety_action_complete(request, pk: int, action_pk: int):
    case = _case_or_404(request, pk)
    action = _action_or_404(case, action_pk)
    if not selectors.can_complete_action(request.user, action):
        raise PermissionDenied
    form = ActionCompleteForm(request.POST, prefix=f"complete{action.pk}")
    form.is_valid()
    try:
        services.action_complete(
            action=action,
            user=request.user,
            note=form.cleaned_data.get("note") or "",
            version=form.cleaned_data.get("version"),
        )
    except DomainError as exc:
        return _refused(
            request, case, form, exc, action=action, row_forms={("complete", action.pk): form}
        )
    access.log_alteration(request, obj=action, person_id=case.victim_id, change="complete")
    messages.success(request, f"{action.title}: done")
    return redirect(_plan_url(request, pk))


@role_required(*selectors.PLAN_WORKERS)
@require_POST
def safety_action_reassign(request, pk: int, action_pk: int):
    case = _case_or_404(request, pk)
    action = _action_or_404(case, action_pk)
    if not selectors.can_reassign_action(request.user, action):
        raise PermissionDenied
    form = ActionReassignForm(request.POST, prefix=f"reassign{action.pk}")
    if not form.is_valid():
        return _refused(request, case, form, None, row_forms={("reassign", action.pk): form})
    data = form.cleaned_data
    try:
        moved = services.action_reassign(
            action=action,
            user=request.user,
            to_user=data.get("owner"),
            to_team=data.get("owner_team"),
            reason=data.get("reason") or "",
            version=data.get("version"),
        )
    except DomainError as exc:
        return _refused(
            request, case, form, exc, action=action, row_forms={("reassign", action.pk): form}
        )
    access.log_alteration(request, obj=moved, person_id=case.victim_id, change="reassign")
    who = moved.owner or moved.owner_team
    messages.success(request, f"{action.title}: moved to {who}, who has been told")
    return redirect(_plan_url(request, pk))


@role_required(*selectors.PLAN_WORKERS)
@require_POST
def safety_action_cancel(request, pk: int, action_pk: int):
    """Cancel an open action with a reason (the victim declined it, or moved so that it no
    longer applies). The same people may cancel an action as may move it."""
    case = _case_or_404(request, pk)
    action = _action_or_404(case, action_pk)
    # One no longer open (done, or cancelled in another tab) is refused by the service,
    # which says why.
    if action.status == ActionStatus.OPEN and not selectors.can_cancel_action(request.user, action):
        raise PermissionDenied
    form = ActionCancelForm(request.POST, prefix=f"cancel{action.pk}")
    rows = {("cancel", action.pk): form}
    if not form.is_valid():
        return _refused(request, case, form, None, row_forms=rows)
    try:
        cancelled = services.action_cancel(
            action=action,
            user=request.user,
            reason=form.cleaned_data.get("reason") or "",
            version=form.cleaned_data.get("version"),
        )
    except DomainError as exc:
        return _refused(request, case, form, exc, action=action, row_forms=rows)
    access.log_alteration(request, obj=cancelled, person_id=case.victim_id, change="cancel")
    told = "" if cancelled.owner_id == request.user.pk else " Its owner has been told."
    messages.success(request, f"{action.title}: cancelled.{told}")
    return redirect(_plan_url(request, pk))


# Absences -----------------------------------------------------------------------------


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
