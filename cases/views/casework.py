"""Casework pages: the case with its review actions and tasks, its readable history, and
the risk queues. Thin: rules in `cases.rules`, writes in `cases.case_services`, reads in
`cases.casework_selectors` (a case's DV1s through `cases.assessment_providers`). Every
view of a case is logged."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cases import case_cover_selectors as cover_selectors
from cases import case_services, rules
from cases import casework_selectors as selectors
from cases.choices import TaskKind
from cases.filters import CaseFilter
from cases.models import Case, Queue, Task
from dasapp import access
from dasapp.api import ConflictError, DomainError
from dasapp.choices import RiskLevel
from dasapp.forms import apply_domain_errors
from dasapp.permissions import role_required
from dasapp.roles import Role

QUEUE_ROLES = (Role.DASO, Role.RESEARCHER, Role.SUPERVISOR)
QUEUE_PAGE_SIZE = 100
QUEUE_FILTERS = ("district", "risk_level", "breached", "owner", "owner_away")


# Forms: shape only. The rules (a reason is needed, the level must be one of three, the
# version must be current) are the services', whose errors land on these fields.


class RiskChangeForm(forms.Form):
    risk_level = forms.ChoiceField(
        label="New risk level",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose standard, medium or high"},
    )
    reason = forms.CharField(
        label="Why is the risk level changing?",
        help_text="Kept in the case history with your name and the time",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AgreeForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ChallengeForm(forms.Form):
    reason = forms.CharField(
        label="What do you challenge in the officer's grading?",
        help_text="The officer who submitted the latest DV1 is asked to answer",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TaskOutcomeForm(forms.Form):
    outcome = forms.CharField(
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )


FORMS = {"change": RiskChangeForm, "agree": AgreeForm, "challenge": ChallengeForm}


def _initial_forms(case: Case) -> dict[str, forms.Form]:
    return {
        name: form_class(prefix=name, initial={"version": case.version})
        for name, form_class in FORMS.items()
    }


def _case_or_404(request, pk: int) -> Case:
    case = selectors.case_detail(user=request.user, pk=pk)
    if case is None:
        raise Http404
    return case


def _log_view(request, case: Case) -> None:
    """Log a view of the case shown again after an action (with the purpose given
    earlier in this session, if any)."""
    label = f"{case._meta.label_lower}:{case.pk}"
    purpose = request.session.get(access.SESSION_KEY, {}).get(label, "")
    access.log_consult(request, obj=case, person_id=case.victim_id, purpose=purpose)


def _case_context(request, case: Case, *, forms_=None, task_forms=None, failed=None) -> dict:
    assessments = selectors.case_assessments(case=case)
    latest = selectors.latest_assessment(assessments)
    tasks = selectors.case_tasks(case=case)
    task_forms = task_forms or {}
    task_rows = [
        {
            "task": task,
            "form": task_forms.get(task.pk)
            or (
                TaskOutcomeForm(prefix=f"task{task.pk}")
                if rules.can_complete_task(request.user, task)
                else None
            ),
        }
        for task in tasks
    ]
    also_open = selectors.other_open_cases([case]).get(case.pk, [])
    context = {
        "case": case,
        "victim": case.victim,
        "also_open": also_open,
        "openable_cases": selectors.openable_case_ids(
            user=request.user, pks=[o.pk for o in also_open] + [case.opened_alongside_id]
        ),
        "clock": selectors.target_clock(case),
        "assessments": assessments,
        "latest": latest,
        "task_rows": task_rows,
        "can_review": rules.can_review_case(request.user, case, latest),
        "can_see_history": rules.can_see_case_history(request.user, case),
        "forms": forms_ or _initial_forms(case),
        "via": access.via_query(request),
        "task_kinds": TaskKind,
        "owner_away": cover_selectors.away_text(case),
    }
    if failed is not None:
        # The page title and error summary read `form`.
        context["form"] = failed
    return context


@role_required(*rules.CASE_READERS)
@never_cache
@require_http_methods(["GET", "POST"])
def case_detail(request, pk: int):
    """The case: victim (safe-contact first), risk, queue, owner, time to target, DV1s
    and open tasks, with the review actions for those who may take them."""
    case = _case_or_404(request, pk)
    prompt = access.consult_or_ask_purpose(request, obj=case, person_id=case.victim_id)
    if prompt is not None:
        return prompt
    return render(request, "casework/case.html", _case_context(request, case))


def _refused(request, pk: int, name: str, form: forms.Form, exc: DomainError | None):
    """The case page again, keeping what was typed. After a conflict the form carries the
    current version, so saving again (having seen the other change) goes through."""
    case = _case_or_404(request, pk)
    if isinstance(exc, ConflictError):
        posted = request.POST.copy()
        posted[f"{name}-version"] = str(case.version)
        form = FORMS[name](posted, prefix=name)
        form.is_valid()
    if exc is not None:
        apply_domain_errors(form, exc)
    forms_ = _initial_forms(case)
    forms_[name] = form
    _log_view(request, case)
    status = 409 if isinstance(exc, ConflictError) else 400
    context = _case_context(request, case, forms_=forms_, failed=form)
    return render(request, "casework/case.html", context, status=status)


def _review_action(request, pk: int, name: str, act):
    """Run one review action from the case page: redirect back with a message, or show
    the page again with the refusal."""
    case = _case_or_404(request, pk)
    latest = selectors.latest_assessment(selectors.case_assessments(case=case))
    if not rules.can_review_case(request.user, case, latest):
        raise PermissionDenied
    form = FORMS[name](request.POST, prefix=name)
    if not form.is_valid():
        return _refused(request, pk, name, form, None)
    try:
        message = act(case, form.cleaned_data)
    except DomainError as exc:
        return _refused(request, pk, name, form, exc)
    messages.success(request, message)
    return redirect(f"{reverse('case_detail', args=[pk])}{access.via_query(request)}")


@role_required(*rules.CASE_WORKERS)
@require_POST
def case_agree(request, pk: int):
    def act(case, data):
        case_services.case_review_agree(
            case=case, user=request.user, note=data.get("note") or "", version=data.get("version")
        )
        return f"You agreed with the {RiskLevel(case.risk_level).label.lower()} risk level"

    return _review_action(request, pk, "agree", act)


@role_required(*rules.CASE_WORKERS)
@require_POST
def case_risk_change(request, pk: int):
    def act(case, data):
        old = case.risk_level
        updated = case_services.case_risk_change(
            case=case,
            user=request.user,
            level=data.get("risk_level") or "",
            reason=data.get("reason") or "",
            version=data.get("version"),
        )
        if updated.risk_level == old:
            return f"The case is already at {RiskLevel(old).label.lower()} risk: nothing changed"
        return (
            f"Risk level changed from {RiskLevel(old).label.lower()} to "
            f"{RiskLevel(updated.risk_level).label.lower()}"
        )

    return _review_action(request, pk, "change", act)


@role_required(*rules.CASE_WORKERS)
@require_POST
def case_challenge(request, pk: int):
    def act(case, data):
        case_services.case_challenge(
            case=case,
            user=request.user,
            reason=data.get("reason") or "",
            version=data.get("version"),
        )
        return "The officer has been asked to answer your challenge"

    return _review_action(request, pk, "challenge", act)


@role_required(*rules.CASE_READERS)
@require_POST
def case_task_complete(request, pk: int, task_pk: int):
    """Answer a challenge (officer) or record a supervisor review's outcome."""
    case = _case_or_404(request, pk)
    task = get_object_or_404(Task.objects.select_related("case"), pk=task_pk, case=case)
    if not rules.can_complete_task(request.user, task):
        raise PermissionDenied
    prefix = f"task{task.pk}"
    form = TaskOutcomeForm(request.POST, prefix=prefix)
    form.is_valid()
    try:
        case_services.task_complete(
            task=task, user=request.user, outcome=form.cleaned_data.get("outcome") or ""
        )
    except DomainError as exc:
        apply_domain_errors(form, exc)
        _log_view(request, case)
        context = _case_context(request, case, task_forms={task.pk: form}, failed=form)
        return render(request, "casework/case.html", context, status=400)
    messages.success(request, f"{TaskKind(task.kind).label}: done")
    return redirect(f"{reverse('case_detail', args=[pk])}{access.via_query(request)}")


@role_required(*rules.CASE_READERS)
@never_cache
def case_history(request, pk: int):
    """The case's history as a readable timeline: who did what, when, from what, to what
    and why, from the domain events."""
    case = _case_or_404(request, pk)
    if not rules.can_see_case_history(request.user, case):
        raise PermissionDenied
    access.log_consult(
        request,
        obj=case,
        person_id=case.victim_id,
        reason="Opened the case history",
        detail={"history": True},
    )
    return render(
        request,
        "casework/history.html",
        {
            "case": case,
            "entries": selectors.case_timeline(case=case),
            "via": access.via_query(request),
        },
    )


# Queues ---------------------------------------------------------------------------------


@role_required(*QUEUE_ROLES)
@never_cache
def queues(request):
    """The queues of the user's team (every queue for supervisors), with counts."""
    return render(
        request, "casework/queues.html", {"queues": selectors.queues_for(user=request.user)}
    )


@role_required(*QUEUE_ROLES)
@never_cache
def queue_detail(request, pk: int):
    """A queue's open cases, high risk first then the longest waiting, with time to
    target and whether each owner is away; filters by district, level, breach, owner
    and owner away."""
    queue = get_object_or_404(
        rules.queues_visible_to(request.user, Queue.objects.select_related("team")), pk=pk
    )
    now = timezone.now()
    base = cover_selectors.away_annotated(
        selectors.queue_cases(selectors.cases_for_user(user=request.user), queue=queue), now
    )
    filterset = CaseFilter(request.GET or None, queryset=base)
    filterset.form.fields["owner"].widget = forms.Select(
        choices=[("", "Anyone"), *cover_selectors.queue_owner_choices(queue=queue)]
    )
    cases = filterset.qs if filterset.is_bound else base
    page = Paginator(cases, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.queue_rows(page.object_list, now)
    for row in rows:
        row.case.owner_away_text = cover_selectors.away_text(row.case, now=now)
    access.log_search(
        request,
        object_type="cases.case",
        detail={
            "queue": queue.pk,
            "filters": sorted(k for k in QUEUE_FILTERS if request.GET.get(k)),
            "results": [row.case.pk for row in rows],
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/queue.html",
        {
            "queue": queue,
            "rows": rows,
            "page": page,
            "filter_form": filterset.form,
            "form": filterset.form if filterset.is_bound and filterset.errors else None,
            "query": query.urlencode(),
            "filtered": any(request.GET.get(k) for k in QUEUE_FILTERS),
        },
    )
