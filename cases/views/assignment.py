"""Who holds a case, as pages: claim and release (case page and queue rows), reassign one
case or a batch from the queue (supervisors), close a case, and "My caseload". Thin:
rules in `cases.rules`, writes in `cases.assignment_services`, reads in
`cases.assignment_selectors`."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cases import assignment_selectors as selectors
from cases import assignment_services as services
from cases import case_cover_selectors as cover_selectors
from cases import casework_selectors, rules
from cases.models import Case, Queue
from dasapp import access
from dasapp.api import ConflictError, DomainError
from dasapp.forms import apply_domain_errors
from dasapp.models import User
from dasapp.permissions import role_required
from dasapp.roles import Role

# Forms: shape only. Whether the new owner may hold the case, whether a reason is
# needed and whether the version is current are the services' to say; their errors
# land on these fields.

NOBODY = ("", "Choose someone")


def _owner_choices(staff, cover=()) -> list:
    """Those who work the case's queue first; then, grouped by team, those of other
    teams who could cover it (the case moves to their team's queue)."""
    choices: list = [NOBODY, *[(str(choice.user.pk), choice.label) for choice in staff]]
    groups: dict[str, list[tuple[str, str]]] = {}
    for choice in cover:
        groups.setdefault(choice.team_name or "No team", []).append(
            (str(choice.user.pk), choice.label)
        )
    for team, options in groups.items():
        choices.append((f"{team}: covering (the case moves to its queue)", options))
    return choices


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label="Why are you releasing the case? (optional for your own case)",
        help_text="Kept in the case history with your name and the time",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=services.REASON_MAX,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReassignForm(forms.Form):
    to_user = forms.CharField(label="New owner", required=False)
    reason = forms.CharField(
        label="Why is the case moving?",
        help_text="Kept in the case history and sent to the new owner",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=services.REASON_MAX,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, staff=(), cover=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = _owner_choices(staff, cover)
        self.fields["to_user"].widget = forms.Select(choices=choices)
        # For the page's grouped picker: the queue's own staff, then each other team.
        self.own_options = [c for c in choices if not isinstance(c[1], list)]
        self.cover_groups = [c for c in choices if isinstance(c[1], list)]
        self.fields["to_user"].help_text = (
            "Active staff who work this queue. Someone marked away or not at work now will "
            "not see the case until they are back."
        )
        if cover:
            self.fields["to_user"].help_text = (
                "Active staff who work this queue, then those of other hubs and units who "
                "could cover it: the case then moves to their team's queue for its risk "
                "level. Someone marked away or not at work now will not see the case until "
                "they are back."
            )

    def clean_to_user(self):
        value = self.cleaned_data.get("to_user") or ""
        if not value.isdigit():
            return None
        return User.objects.filter(pk=int(value)).first()


class BulkReassignForm(ReassignForm):
    cases = forms.MultipleChoiceField(
        label="Cases to reassign", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, case_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].label = "New owner for the ticked cases"
        self.fields["to_user"].help_text = (
            "Active staff who work this queue. Someone marked away or not at work now will "
            "not see the cases until they are back."
        )
        if kwargs.get("cover"):
            self.fields["to_user"].help_text = (
                "Active staff who work this queue, then those of other hubs and units who "
                "could cover its cases: the cases then move to their team's queue for their "
                "risk level. Someone marked away or not at work now will not see the cases "
                "until they are back."
            )
        self.fields["reason"].label = "Why are the cases moving?"
        self.fields["cases"].choices = list(case_choices)
        del self.fields["version"]

    def clean_cases(self):
        return picked_cases(self.cleaned_data.get("cases") or [])


class CloseForm(forms.Form):
    reason = forms.CharField(
        label="Why is the case closing?",
        help_text="For example: victim has moved out of the area and is supported by the IDVA",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=services.REASON_MAX,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def bulk_case_value(case: Case) -> str:
    """A queue row's checkbox value: the case and the version the supervisor read."""
    return f"{case.pk}:{case.version}"


def picked_cases(values) -> dict[int, int | None]:
    """`["12:3", "15:1"]` -> `{12: 3, 15: 1}`; malformed values are ignored."""
    picked: dict[int, int | None] = {}
    for value in values:
        pk, _, version = str(value).partition(":")
        if pk.isdigit():
            picked[int(pk)] = int(version) if version.isdigit() else None
    return picked


# Helpers --------------------------------------------------------------------------------


def _case_or_404(request, pk: int) -> Case:
    case = casework_selectors.case_detail(user=request.user, pk=pk)
    if case is None:
        raise Http404
    return case


def _case_page(request, case: Case) -> str:
    return f"{reverse('case_detail', args=[case.pk])}{access.via_query(request)}"


def _back(request, default: str) -> str:
    """Where to go after an action: the local page it came from, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _apply_bulk_errors(form: forms.Form, exc: DomainError) -> None:
    """The refusal above the ticked cases, with each case's problem; a problem with the
    new owner or the reason on its field."""
    fields = {"to_user", "reason"}
    conflict = isinstance(exc, ConflictError)
    if conflict or not set(exc.errors) & fields:
        form.add_error(None, exc.message)
    for key, errors in exc.errors.items():
        for message in errors:
            form.add_error(key if key in fields and not conflict else None, message)


def _refresh_version(form: forms.Form, case: Case) -> None:
    """After a conflict the form carries the current version: submitting again, having
    seen the other change, goes through."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(case.version)
    form.data = data


def _status(exc: DomainError | None) -> int:
    if exc is None:
        return 400
    return 409 if isinstance(exc, ConflictError) else 400


def _log(request, case: Case, purpose: str) -> None:
    access.log_consult(request, obj=case, person_id=case.victim_id, purpose=purpose)


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


@dataclass
class _Outcome:
    """What a case form's POST came to: the case as it now is, the status to answer
    with, and the service's result when it went through."""

    case: Case
    status: int = 200
    result: object = None
    done: bool = False


def _submit(request, case: Case, form: forms.Form, write) -> _Outcome:
    """Run `write(cleaned_data)` for a valid POSTed form. A refusal is put on the form
    (after a conflict, with the case's current version so that saving again works) and
    nothing typed is lost; a GET only shows the form."""
    if request.method != "POST":
        return _Outcome(case)
    if not form.is_valid():
        return _Outcome(case, status=400)
    try:
        result = write(form.cleaned_data)
    except DomainError as exc:
        case = _case_or_404(request, case.pk)
        if isinstance(exc, ConflictError):
            _refresh_version(form, case)
        apply_domain_errors(form, exc)
        return _Outcome(case, status=_status(exc))
    return _Outcome(case, result=result, done=True)


# Claim and release ----------------------------------------------------------------------


@role_required(*rules.CASE_WORKERS)
@require_POST
def case_claim(request, pk: int):
    """Take the case onto your caseload (from the case page or a queue row)."""
    case = _case_or_404(request, pk)
    if not rules.can_claim_case(request.user, case):
        raise PermissionDenied
    back = _back(request, _case_page(request, case))
    try:
        services.case_claim(case=case, user=request.user, version=_int(request.POST.get("version")))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    access.log_alteration(request, obj=case, person_id=case.victim_id, change="claim")
    # The banner links to the case: claimed from the queue, the next step is to open it.
    messages.success(
        request,
        format_html(
            'You claimed case <a class="govuk-notification-banner__link" href="{}" '
            'data-testid="claimed-case-link">{}</a>: it is on your caseload',
            f"{reverse('case_detail', args=[case.pk])}?via=case:{case.pk}",
            case.reference,
        ),
    )
    return redirect(back)


@role_required(*rules.CASE_WORKERS)
@never_cache
@require_http_methods(["GET", "POST"])
def case_release(request, pk: int):
    """Put the case back in its queue: its owner in one click, a supervisor with a
    reason (the owner is told)."""
    case = _case_or_404(request, pk)
    if not rules.can_release_case(request.user, case):
        raise PermissionDenied
    form = ReleaseForm(request.POST or None, initial={"version": case.version})
    outcome = _submit(
        request,
        case,
        form,
        lambda data: services.case_release(
            case=case, user=request.user, reason=data["reason"], version=data["version"]
        ),
    )
    case = outcome.case
    if outcome.done:
        access.log_alteration(request, obj=case, person_id=case.victim_id, change="release")
        messages.success(request, f"Case {case.reference} is back in its queue, unassigned")
        return redirect(_back(request, _case_page(request, case)))
    _log(request, case, "Release the case")
    return render(
        request,
        "assignment/release.html",
        {"case": case, "form": form, "via": access.via_query(request)},
        status=outcome.status,
    )


# Reassign -------------------------------------------------------------------------------


def _announce(request, result: services.Reassigned, to_user) -> None:
    name = services.name_of(to_user)
    if len(result.cases) == 1 and result.queue is not None:
        messages.success(
            request,
            f"Case {result.cases[0].reference} reassigned to {name}: it is now in "
            f"{result.queue.name}",
        )
    elif len(result.cases) == 1:
        messages.success(request, f"Case {result.cases[0].reference} reassigned to {name}")
    elif result.cases and result.queues:
        now_in = ", ".join(sorted({q.name for q in result.queues.values()}))
        some = "they are" if len(result.queues) == len(result.cases) else "some are"
        messages.success(
            request, f"{len(result.cases)} cases reassigned to {name}: {some} now in {now_in}"
        )
    elif result.cases:
        messages.success(request, f"{len(result.cases)} cases reassigned to {name}")
    if result.unchanged:
        refs = ", ".join(c.reference for c in result.unchanged)
        messages.info(request, f"{name} already held {refs}: left as it was")
    for warning in result.warnings:
        messages.warning(request, warning)


@role_required(Role.SUPERVISOR)
@never_cache
@require_http_methods(["GET", "POST"])
def case_reassign(request, pk: int):
    """A supervisor gives the case to someone who works its queue, with a reason; or to
    a DASO of another hub or unit covering it, the case moving to their team's queue.
    The picker says who is away, and until when."""
    case = _case_or_404(request, pk)
    if not rules.can_reassign_case(request.user, case):
        raise PermissionDenied
    now = timezone.now()
    staff = [
        choice
        for choice in cover_selectors.queue_choices(queue=case.queue, at=now)
        if choice.user.pk != case.assigned_to_id
    ]
    cover = (
        cover_selectors.cover_staff(case=case, at=now)
        if rules.can_reassign_across_teams(request.user, case) and case.queue_id
        else []
    )
    covering = {choice.user.pk for choice in cover}
    form = ReassignForm(
        request.POST or None, staff=staff, cover=cover, initial={"version": case.version}
    )
    outcome = _submit(
        request,
        case,
        form,
        lambda data: services.case_reassign(
            case=case,
            user=request.user,
            to_user=data["to_user"],
            reason=data["reason"],
            version=data["version"],
            across_teams=bool(data["to_user"] and data["to_user"].pk in covering),
        ),
    )
    case = outcome.case
    if outcome.done:
        to_user = form.cleaned_data["to_user"]
        moved_to = outcome.result.queue
        access.log_alteration(
            request,
            obj=case,
            person_id=case.victim_id,
            change="reassign",
            to_user=to_user.pk,
            **({"queue": moved_to.pk} if moved_to else {}),
        )
        _announce(request, outcome.result, form.cleaned_data["to_user"])
        if moved_to:
            # The queue it came from no longer holds it: the case itself, just worked,
            # is what the user comes to its page from.
            return redirect(f"{reverse('case_detail', args=[case.pk])}?via=case:{case.pk}")
        return redirect(_back(request, _case_page(request, case)))
    _log(request, case, "Reassign the case")
    return render(
        request,
        "assignment/reassign.html",
        {
            "case": case,
            "form": form,
            "via": access.via_query(request),
            "staff": staff,
            "cover": cover,
        },
        status=outcome.status,
    )


@role_required(Role.SUPERVISOR)
@require_POST
def queue_bulk_reassign(request, pk: int):
    """A supervisor gives the cases ticked on the queue page to one person, all or
    nothing: someone who works the queue, or a DASO of another hub or unit covering (the
    cases move to their team's queue, as for one case). A refusal shows the selection again, at each case's current version, with
    what stopped it."""
    queue = get_object_or_404(
        rules.queues_visible_to(request.user, Queue.objects.select_related("team")), pk=pk
    )
    now = timezone.now()
    staff = cover_selectors.queue_choices(queue=queue, at=now)
    cover = cover_selectors.queue_cover_staff(queue=queue, at=now)
    covering = {choice.user.pk for choice in cover}
    posted = request.POST.getlist("bulk-cases")
    picked = picked_cases(posted)
    visible = casework_selectors.cases_for_user(user=request.user).filter(pk__in=list(picked))
    cases = list(visible.order_by("pk"))
    if len(cases) != len(picked):
        raise Http404
    form = BulkReassignForm(
        request.POST,
        prefix="bulk",
        staff=staff,
        cover=cover,
        case_choices=[(v, v) for v in posted],
    )
    exc: DomainError | None = None
    if form.is_valid():
        to_user = form.cleaned_data["to_user"]
        try:
            result = services.cases_bulk_reassign(
                case_ids=list(picked),
                user=request.user,
                to_user=to_user,
                reason=form.cleaned_data["reason"],
                versions=picked,
                across_teams=bool(to_user and to_user.pk in covering),
            )
        except DomainError as caught:
            exc = caught
        else:
            for moved in result.cases:
                moved_to = result.queues.get(moved.pk)
                access.log_alteration(
                    request,
                    obj=moved,
                    person_id=moved.victim_id,
                    change="reassign",
                    to_user=to_user.pk,
                    **({"queue": moved_to.pk} if moved_to else {}),
                )
            _announce(request, result, to_user)
            return redirect(reverse("queue_detail", args=[queue.pk]))
    data = request.POST.copy()
    data.setlist("bulk-cases", [bulk_case_value(c) for c in cases])
    again = BulkReassignForm(
        data,
        prefix="bulk",
        staff=staff,
        cover=cover,
        case_choices=[(bulk_case_value(c), c.reference) for c in cases],
    )
    again.is_valid()
    if exc is not None:
        _apply_bulk_errors(again, exc)
    access.log_search(
        request,
        object_type="cases.case",
        detail={"queue": queue.pk, "bulk_reassign": True, "results": [c.pk for c in cases]},
    )
    changed = {c.pk for c in cases if picked[c.pk] is not None and picked[c.pk] != c.version}
    return render(
        request,
        "assignment/bulk_reassign.html",
        {"queue": queue, "form": again, "cases": cases, "changed": changed},
        status=_status(exc),
    )


# Close ----------------------------------------------------------------------------------


@role_required(*rules.CASE_WORKERS)
@never_cache
@require_http_methods(["GET", "POST"])
def case_close(request, pk: int):
    """Close the case with a reason, once every safety-plan action is done or cancelled."""
    case = _case_or_404(request, pk)
    if not rules.can_close_case(request.user, case):
        raise PermissionDenied
    form = CloseForm(request.POST or None, initial={"version": case.version})
    outcome = _submit(
        request,
        case,
        form,
        lambda data: services.case_close(
            case=case, user=request.user, reason=data["reason"], version=data["version"]
        ),
    )
    case = outcome.case
    if outcome.done:
        access.log_alteration(request, obj=case, person_id=case.victim_id, change="close")
        messages.success(request, f"Case {case.reference} is closed")
        return redirect(_case_page(request, case))
    _log(request, case, "Close the case")
    actions = selectors.open_safety_actions(case=case)
    return render(
        request,
        "assignment/close.html",
        {
            "case": case,
            "form": form,
            "via": access.via_query(request),
            "actions": [(a, services.describe_action(a)) for a in actions],
            "actions_message": services.open_actions_message(len(actions)) if actions else "",
        },
        status=outcome.status,
    )


# My caseload ----------------------------------------------------------------------------


class CaseloadFilterForm(forms.Form):
    owner_away = forms.BooleanField(
        label="Only cases falling due while you are away",
        help_text="You are away now or before the case's review target",
        required=False,
    )


@role_required(*rules.CASE_OWNER_ROLES)
@never_cache
def caseload(request):
    """The open cases you hold: high risk first, then the longest waiting, with time to
    each one's review target and whether you are away before it."""
    now = timezone.now()
    form = CaseloadFilterForm(request.GET or None)
    cases = cover_selectors.away_annotated(selectors.caseload_cases(user=request.user), now)
    filtered = form.is_valid() and form.cleaned_data["owner_away"]
    if filtered:
        cases = cover_selectors.owner_away_filter(cases, now)
    rows = casework_selectors.queue_rows(cases, now)
    for row in rows:
        row.case.owner_away_text = cover_selectors.away_text(row.case, now=now, mine=True)
    access.log_search(
        request,
        object_type="cases.case",
        detail={"caseload": True, "results": [row.case.pk for row in rows]}
        | ({"filters": ["owner_away"]} if filtered else {}),
    )
    return render(
        request,
        "assignment/caseload.html",
        {"rows": rows, "filter_form": form, "filtered": filtered},
    )
