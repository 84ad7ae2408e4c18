"""The officer's DV1 pages: start from an incident, the form with autosave and a live
score, submit, the confirmation, the read-only DV1 and its amendment."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases import rules as case_rules
from cases.choices import IncidentRole, RiskLevel
from cases.models import Incident
from dasapp import access
from dasapp.api import ConflictError, DomainError
from dasapp.models import AccessLog
from dasapp.permissions import role_required
from dasapp.services import access_record
from risk import forms, rules, scoring, selectors, services
from risk.choices import AssessmentStatus
from risk.models import Assessment
from risk.question_sets import SUPPLEMENT_CODES, current_set

OWN_WORDS = {"2", "3"}  # DASH questions that invite the victim's own words


def _assessment_for(request, pk: int, *, edit: bool = False) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.select_related(
            "incident", "victim", "perpetrator", "question_set", "case", "amends"
        ),
        pk=pk,
    )
    if not rules.can_read_assessment(request.user, assessment):
        raise PermissionDenied
    if edit and not rules.can_edit_assessment(request.user, assessment):
        raise PermissionDenied
    return assessment


def _log_view(request, assessment: Assessment, purpose: str) -> None:
    """A DV1 shows the victim's record: log it, with the work item the user came from
    (`?via=`), else the incident it belongs to."""
    work_item = access.work_item_from(request, obj=assessment, person_id=assessment.victim_id) or (
        f"incident:{assessment.incident_id}" if assessment.incident_id else ""
    )
    access_record(
        user=request.user,
        action=AccessLog.Action.CONSULT,
        obj=assessment,
        person_id=assessment.victim_id,
        purpose=f"{purpose} {assessment.reference}",
        work_item=work_item,
    )


# Lists and starting ---------------------------------------------------------------


@role_required(*rules.DV1_WRITERS)
@never_cache
def dv1_list(request):
    """The officer's DV1 drafts and recent submissions."""
    mine = Assessment.objects.select_related("victim", "incident")
    return render(
        request,
        "risk/list.html",
        {
            "drafts": mine.filter(created_by=request.user, status=AssessmentStatus.DRAFT),
            "submitted": mine.filter(submitted_by=request.user)
            .exclude(status=AssessmentStatus.DRAFT)
            .order_by("-submitted_at")[:20],
        },
    )


@role_required(*rules.DV1_WRITERS)
@require_POST
def dv1_start(request):
    """Start (or continue) the DV1 for a victim on an incident."""
    incident = get_object_or_404(Incident, pk=_int(request.POST.get("incident")))
    if not case_rules.can_read_incident(request.user, incident):
        raise PermissionDenied
    if not rules.can_start_dv1(request.user, incident):
        raise PermissionDenied
    links = list(incident.involved.select_related("person"))
    victims = {link.person_id: link.person for link in links if link.role == IncidentRole.VICTIM}
    suspects = {link.person_id: link.person for link in links if link.role == IncidentRole.SUSPECT}
    victim = victims.get(_int(request.POST.get("victim")))
    if victim is None:
        raise Http404("That person is not a victim on this incident")
    chosen = _int(request.POST.get("perpetrator"))
    if chosen is not None and chosen not in suspects:
        raise Http404("That person is not a suspect on this incident")
    if chosen is None and len(suspects) == 1:
        chosen = next(iter(suspects))
    assessment = services.assessment_start(
        incident=incident,
        victim=victim,
        perpetrator=suspects.get(chosen) if chosen is not None else None,
        user=request.user,
    )
    return redirect(f"{reverse('dv1_edit', args=[assessment.pk])}?via=incident:{incident.pk}")


def _int(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


# The form --------------------------------------------------------------------------


def _supplements_open(assessment: Assessment) -> list[str]:
    opens = {
        q["code"]: q.get("opens", []) for q in assessment.question_set.questions if q.get("opens")
    }
    return scoring.supplements_to_open(
        answers=assessment.answers, honour_context=assessment.honour_context, opens=opens
    )


def _opened_because(assessment: Assessment, name: str) -> str:
    numbers = [
        str(q["number"])
        for q in assessment.question_set.questions
        if name in q.get("opens", [])
        and (assessment.answers.get(q["code"]) or {}).get("answer") == "yes"
    ]
    if numbers:
        return f"Shown because question {' and '.join(numbers)} was answered yes."
    return "Shown because you said the context calls for these questions."


def _questions(questions: list[dict], answers: dict, prefix: str) -> list[dict]:
    rows = []
    for q in questions:
        given = answers.get(q["code"]) or {}
        rows.append(
            {
                **q,
                "field": f"{prefix}{q['code']}",
                "answer": given.get("answer", ""),
                "comment": given.get("comment", ""),
                "own_words": prefix == "q" and q["code"] in OWN_WORDS,
            }
        )
    return rows


def _age(date_of_birth: str) -> int | None:
    try:
        born = dt.date.fromisoformat(date_of_birth)
    except (TypeError, ValueError):
        return None
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _household(assessment: Assessment) -> list[dict]:
    members = []
    for member in assessment.household:
        age = _age(member.get("date_of_birth", ""))
        members.append({**member, "age": age, "is_child": age is not None and age < 18})
    return members


def _ticks(values: dict, choices) -> list[dict]:
    return [
        {"value": key, "label": label, "checked": bool((values or {}).get(key))}
        for key, label in choices
    ]


def _supplement_sets(names: list[str]) -> dict:
    return {name: current_set(SUPPLEMENT_CODES[name]) for name in names}


def _page_context(
    assessment: Assessment, *, errors=None, new_member=None, supplement_sets=None
) -> dict:
    errors = errors or {}
    sets = supplement_sets or {}
    supplements = []
    for name in _supplements_open(assessment):
        qset = sets.get(name) or current_set(SUPPLEMENT_CODES[name])
        given = (assessment.supplements.get(name) or {}).get("answers", {})
        supplements.append(
            {
                "name": name,
                "title": qset.title,
                "questions": _questions(qset.questions, given, f"{name}-"),
                "because": _opened_because(assessment, name),
            }
        )
    anchors = {"version": "save-status"}
    return {
        "assessment": assessment,
        "questions": _questions(assessment.question_set.questions, assessment.answers, "q"),
        "supplements": supplements,
        "household": _household(assessment),
        "witnesses": list(enumerate(assessment.witnesses)),
        "safeguarding": _ticks(assessment.safeguarding, forms.SAFEGUARDING),
        "safeguarding_other": (assessment.safeguarding or {}).get("other_detail", ""),
        "evidence": _ticks(assessment.evidence, forms.EVIDENCE),
        "evidence_other": (assessment.evidence or {}).get("other_detail", ""),
        "levels": RiskLevel.choices,
        "answer_choices": [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")],
        "criteria": assessment.marac_criteria,
        "unanswered": len(
            scoring.missing_answers(
                [q["code"] for q in assessment.question_set.questions], assessment.answers
            )
        ),
        "errors": errors,
        "error_list": [
            (anchors.get(key, key), message)
            for key, messages_ in errors.items()
            for message in messages_
        ],
        "new_member": new_member or {},
        "draft_key": f"dv1:{assessment.pk}",
    }


@role_required(*rules.DV1_READERS)
@never_cache
def dv1_edit(request, pk: int):
    """The DV1: a draft is edited here by its officer; otherwise it shows read-only."""
    assessment = _assessment_for(request, pk)
    if not rules.can_edit_assessment(request.user, assessment):
        return _dv1_detail(request, assessment)
    _log_view(request, assessment, "Completing DV1")
    context = _page_context(assessment)
    context.update(_open_cases_context(assessment))
    return render(request, "risk/edit.html", context)


def _open_cases_context(assessment: Assessment, post=None) -> dict:
    """The victim's open cases offered above the submit button, with what the officer
    chose if the page comes back after a failed submission."""
    choice = selectors.open_case_choice(
        victim=assessment.victim, perpetrator_id=assessment.perpetrator_id
    )
    posted = post is not None and "open_case_offered" in post
    return {
        "open_cases": choice,
        "open_case_value": post.get("open_case", "") if posted else choice.default_value,
        "open_case_reason": post.get("open_case_reason", "") if posted else "",
    }


def _dv1_detail(request, assessment: Assessment):
    _log_view(request, assessment, "Viewed DV1")
    context = _page_context(assessment)
    context["can_amend"] = rules.can_amend_assessment(request.user, assessment)
    context["amendment"] = Assessment.objects.filter(amends=assessment).first()
    return render(request, "risk/detail.html", context)


def _parse(request, assessment: Assessment) -> tuple[forms.DraftForm, dict]:
    """The posted form, and the supplement question sets that were on it."""
    shown = [n for n in request.POST.getlist("supplement") if n in SUPPLEMENT_CODES]
    sets = _supplement_sets(shown)
    form = forms.parse_draft(
        request.POST,
        question_codes=[q["code"] for q in assessment.question_set.questions],
        supplement_codes={name: [q["code"] for q in s.questions] for name, s in sets.items()},
    )
    return form, sets


@role_required(*rules.DV1_WRITERS)
@require_POST
def dv1_autosave(request, pk: int):
    """Save the draft as it is typed (htmx): returns the save status, and out of band
    the new version, the live score and any section whose rows or questions changed.
    Without JavaScript ("Save draft") it redirects back to the page."""
    assessment = _assessment_for(request, pk, edit=True)
    form, sets = _parse(request, assessment)
    shown_before = request.POST.getlist("supplement")
    try:
        assessment, errors = services.assessment_save(
            assessment=assessment,
            user=request.user,
            changes=form.changes,
            version=forms.version_from(request.POST),
        )
    except DomainError as exc:
        return render(
            request,
            "risk/_save_status.html",
            {"message": exc.message, "failed": True, "conflict": isinstance(exc, ConflictError)},
            status=exc.status_code,
        )
    errors = {**form.errors, **errors}
    if not request.htmx:
        messages.success(request, "Your DV1 draft has been saved")
        return redirect("dv1_edit", pk=assessment.pk)
    context = _page_context(
        assessment,
        errors=errors,
        new_member=form.new_member,
        supplement_sets=sets,
    )
    context.update(
        saved_at=timezone.now(),
        household_changed=form.household_changed,
        witnesses_changed=form.witnesses_changed,
        supplements_changed=[s["name"] for s in context["supplements"]] != shown_before,
    )
    return render(request, "risk/_autosave.html", context)


@role_required(*rules.DV1_WRITERS)
@require_POST
def dv1_submit(request, pk: int):
    """Save the last changes, then submit. Anything missing comes back in the error
    summary with everything the officer entered kept."""
    assessment = _assessment_for(request, pk, edit=True)
    form, _ = _parse(request, assessment)
    try:
        saved, errors = services.assessment_save(
            assessment=assessment,
            user=request.user,
            changes=form.changes,
            version=forms.version_from(request.POST),
        )
        errors = {**form.errors, **errors}
        if not errors:
            saved = services.assessment_submit(
                assessment=saved,
                user=request.user,
                version=saved.version,
                case_choice=forms.case_choice(request.POST),
            )
            return redirect("dv1_confirmation", pk=saved.pk)
        status = 400
    except ConflictError as exc:
        # The answers typed stay in this browser (static/app/draft.js) to restore.
        errors, status = {"version": [exc.message]}, 409
    except DomainError as exc:
        errors, status = exc.errors or {"version": [exc.message]}, 400
    assessment.refresh_from_db()
    if assessment.status != AssessmentStatus.DRAFT:
        return redirect("dv1_edit", pk=assessment.pk)
    _log_view(request, assessment, "Completing DV1")
    context = _page_context(assessment, errors=errors, new_member=form.new_member)
    context.update(_open_cases_context(assessment, request.POST))
    return render(request, "risk/edit.html", context, status=status)


@role_required(*rules.DV1_READERS)
@never_cache
def dv1_confirmation(request, pk: int):
    assessment = _assessment_for(request, pk)
    if assessment.status == AssessmentStatus.DRAFT:
        return redirect("dv1_edit", pk=assessment.pk)
    _log_view(request, assessment, "Submitted DV1")
    return render(
        request,
        "risk/confirmation.html",
        {"assessment": assessment, "criteria": assessment.marac_criteria},
    )


@role_required(*rules.DV1_WRITERS)
@require_POST
def dv1_amend(request, pk: int):
    """Amend a submitted DV1: a new draft linked to it; the submitted one is kept."""
    assessment = _assessment_for(request, pk)
    if not rules.can_amend_assessment(request.user, assessment):
        raise PermissionDenied
    try:
        amendment = services.assessment_amend(assessment=assessment, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dv1_edit", pk=assessment.pk)
    return redirect("dv1_edit", pk=amendment.pk)
