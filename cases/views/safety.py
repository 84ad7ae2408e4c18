"""Safety-plan pages: a case's plan with its actions, owners, due times, follow-ups and
the forms that work it. Thin: rules in `cases.safety_selectors`, writes in
`cases.safety_services`. Every view of a plan is written to the access log. The absences
page is in `absences`; the date and time fields in `date_fields`."""

from __future__ import annotations

from django import forms
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
from cases.choices import ActionStatus
from cases.models import Case, SafetyAction
from dasapp import access
from dasapp.api import ConflictError, DomainError
from dasapp.date_fields import DUE_EXAMPLE, _date_from, due_from
from dasapp.forms import apply_domain_errors
from dasapp.models import User
from dasapp.permissions import role_required
from org.models import Team

# Forms: shape only. The rules are the services', whose errors land on these fields. ---

# An action in the DASO's own words rather than one from the catalogue.
OTHER_ACTION = "other"


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


# Service field names to form fields.
FIELD_MAP = {"agreed_at": "agreed_at_day"}


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
        _add_other_missing_answers(form)
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


def _add_other_missing_answers(form: ActionAddForm) -> None:
    """A form refused for one answer also says what else the service would refuse (who
    owns it, when it is due), so every missing answer is reported at once."""
    data = form.cleaned_data
    errors = services.action_add_errors(
        action_type=data.get("action_type"),
        description=data.get("description") or "",
        owner=data.get("owner"),
        owner_team=data.get("owner_team"),
        due_at=data.get("due_at"),
    )
    field_map = {**FIELD_MAP, **form.field_map}
    for key, field_messages in errors.items():
        name = field_map.get(key, key)
        if name in form.errors or name not in form.fields or form.fields[name].widget.is_hidden:
            continue  # already has its own error, or nowhere on the page to show it
        for message in field_messages:
            form.add_error(name, message)


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
