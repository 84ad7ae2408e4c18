"""The officer's DV1 pages: start from an incident, the form with autosave and a live
score, submit, the confirmation, the read-only DV1 and its amendment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from calls import rules as call_rules
from calls.choices import IncidentRole
from calls.models import Incident
from dasapp import access
from dasapp.api import ConflictError, DomainError
from dasapp.models import AccessLog
from dasapp.permissions import role_required
from dasapp.services import access_record
from people import rules as people_rules
from people import selectors as case_selectors
from people.models import Person
from people.services import PersonInput
from risk import forms, rules, sections, selectors, services
from risk.choices import AssessmentStatus
from risk.dv1_pages import (
    int_or_none,
    level_reason_errors,
    page_context,
    section_context,
    section_url,
    supplement_sets,
)
from risk.models import Assessment
from risk.question_sets import SUPPLEMENT_CODES


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
    # `purpose` here is what the page was doing, recorded as a reason: never shown as a
    # purpose the user gave.
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
        reason=f"{purpose} {assessment.reference}",
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
    incident = get_object_or_404(Incident, pk=int_or_none(request.POST.get("incident")))
    if not call_rules.can_read_incident(request.user, incident):
        raise PermissionDenied
    if not rules.can_start_dv1(request.user, incident):
        raise PermissionDenied
    links = list(incident.involved.select_related("person"))
    victims = {link.person_id: link.person for link in links if link.role == IncidentRole.VICTIM}
    suspects = {link.person_id: link.person for link in links if link.role == IncidentRole.SUSPECT}
    victim = victims.get(int_or_none(request.POST.get("victim")))
    if victim is None:
        raise Http404("That person is not a victim on this incident")
    chosen = int_or_none(request.POST.get("perpetrator"))
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


@role_required(*rules.DV1_READERS)
@never_cache
def dv1_edit(request, pk: int):
    """The DV1: a draft shows its task list to the officer; otherwise it is read-only."""
    assessment = _assessment_for(request, pk)
    if not rules.can_edit_assessment(request.user, assessment):
        return _dv1_detail(request, assessment)
    _log_view(request, assessment, "Completing DV1")
    return render(request, "risk/tasks.html", page_context(assessment, editing=True))


def _open_cases_context(assessment: Assessment, post=None) -> dict:
    """The victim's open cases offered above the submit button of check your answers,
    with what the officer chose if the page comes back after a failed submission."""
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
    _log_view(request, assessment, "Opened DV1")
    context = page_context(assessment)
    context["can_amend"] = rules.can_amend_assessment(request.user, assessment)
    context["amendment"] = Assessment.objects.filter(amends=assessment).first()
    return render(request, "risk/detail.html", context)


# The buttons that add or remove a household member or a witness.
ROW_BUTTONS = ("add_household", "remove_household", "add_witness", "remove_witness")


def _parse(request, assessment: Assessment, post=None) -> tuple[forms.DraftForm, dict]:
    """The posted form, and the supplement question sets that were on it."""
    post = request.POST if post is None else post
    shown = [n for n in post.getlist("supplement") if n in SUPPLEMENT_CODES]
    sets = supplement_sets(shown)
    form = forms.parse_draft(
        post,
        question_codes=[q["code"] for q in assessment.question_set.questions],
        supplement_codes={name: [q["code"] for q in s.questions] for name, s in sets.items()},
    )
    _suspect_from(request, assessment, form)
    return form, sets


# The suspect: the incident's suspects, or someone else found or added ----------------


def _found_key(assessment: Assessment) -> str:
    return f"dv1-suspects-found:{assessment.pk}"


def _incident_suspects(assessment: Assessment) -> list:
    if not assessment.incident_id:
        return []
    return [
        link.person
        for link in assessment.incident.involved.select_related("person").order_by("pk")
        if link.role == IncidentRole.SUSPECT
    ]


def _suspect_from(request, assessment: Assessment, form: forms.DraftForm) -> None:
    """The person the officer chose as the suspect, into the changes. Deny by default:
    only the incident's suspects, the DV1's suspect and the people this officer's search
    found (and was logged as showing) may be chosen."""
    if not form.suspect:
        return
    if form.suspect == services.SUSPECT_NOT_KNOWN:
        form.changes.perpetrator = services.SUSPECT_NOT_KNOWN
        return
    pk = int(form.suspect)
    allowed = {p.pk for p in _incident_suspects(assessment)}
    allowed |= set(request.session.get(_found_key(assessment), []))
    if assessment.perpetrator_id:
        allowed.add(assessment.perpetrator_id)
    person = Person.objects.filter(pk=pk).first() if pk in allowed else None
    if person is None:
        form.errors["suspect"] = ["Choose the suspect from the people found, or add them"]
        return
    form.changes.perpetrator = person


def _suspect_find(request, assessment: Assessment) -> dict:
    """ "Someone else": search people by name and date of birth, log the search as the
    people search does, and remember who was shown so that one of them may be chosen."""
    search = forms.suspect_search(request.POST)
    if search.errors:
        return {"errors": search.errors, "results": None}
    results = case_selectors.person_search(
        name=search.name, date_of_birth=search.date_of_birth, limit=10
    )
    results = [p for p in results if p.pk != assessment.victim_id]
    access.log_search(
        request,
        object_type="people.person",
        purpose=f"Finding the suspect for DV1 {assessment.reference}",
        detail={
            "fields": [
                k for k, v in (("name", search.name), ("date_of_birth", search.date_of_birth)) if v
            ],
            "results": [p.pk for p in results],
        },
    )
    found = set(request.session.get(_found_key(assessment), []))
    request.session[_found_key(assessment)] = sorted(found | {p.pk for p in results})
    return {"errors": {}, "results": results}


def _suspect_context(assessment: Assessment, user, post=None, results=None) -> dict:
    suspects = _incident_suspects(assessment)
    if assessment.perpetrator_id and assessment.perpetrator_id not in {p.pk for p in suspects}:
        suspects.append(assessment.perpetrator)
    if post is not None and "suspect" in post:
        value = post.get("suspect", "")
    elif assessment.perpetrator_id:
        value = str(assessment.perpetrator_id)
    else:
        value = services.SUSPECT_NOT_KNOWN if "incident" in assessment.sections_saved else ""
    post = post or {}
    return {
        "suspects": suspects,
        "can_find_suspect": people_rules.can_read_people(user),
        "can_add_suspect": people_rules.can_write_people(user),
        "suspect_value": value,
        "suspect_results": results,
        "suspect_search": {
            "name": post.get("suspect-name", ""),
            "date_of_birth": post.get("suspect-date_of_birth", ""),
        },
        "suspect_new_fields": [
            ("given_name", "Given name", "govuk-!-width-two-thirds"),
            ("family_name", "Family name", "govuk-!-width-two-thirds"),
            (
                "date_of_birth",
                "Date of birth, if known (for example, 27/3/1990)",
                "govuk-input--width-10",
            ),
        ],
        "suspect_new": {
            name: post.get(f"suspect-new-{name}", "")
            for name in ("given_name", "family_name", "date_of_birth")
        },
    }


def _render_section(request, assessment, slug, *, status=200, results=None, **options):
    back_to_check = request.GET.get("return") == "check"
    context = section_context(
        page_context(assessment, editing=True, back_to_check=back_to_check, here=slug, **options),
        slug,
    )
    if context is None:
        return redirect("dv1_edit", pk=assessment.pk)
    context["back_to_check"] = back_to_check
    if slug == "incident":
        context.update(_suspect_context(assessment, request.user, request.POST, results))
    return render(request, "risk/section.html", context, status=status)


@role_required(*rules.DV1_WRITERS)
@never_cache
def dv1_section(request, pk: int, section: str):
    """One section of a draft DV1. "Save and continue" saves it, marks it done and goes
    to the next section (or back to check your answers); adding or removing a household
    member or witness saves and comes back here. Without JavaScript this is the whole
    form; with it the page also saves as it is typed (`dv1_autosave`)."""
    assessment = _assessment_for(request, pk)
    if not rules.can_edit_assessment(request.user, assessment):
        if rules.can_read_assessment(request.user, assessment):
            return redirect("dv1_edit", pk=assessment.pk)
        raise PermissionDenied
    if section not in sections.every_slug(SUPPLEMENT_CODES):
        raise Http404("The DV1 has no such section")
    back_to_check = request.GET.get("return") == "check"
    if request.method != "POST":
        _log_view(request, assessment, "Completing DV1")
        errors = {}
        if back_to_check:
            # Sent here from a problem on check your answers: show it at the field.
            errors = services.submission_errors(assessment)
        context = section_context(
            page_context(assessment, editing=True, back_to_check=back_to_check), section
        )
        if context is None:
            return redirect("dv1_edit", pk=assessment.pk)
        all_sections = [t["section"] for t in context["sections"]]
        context["errors"] = {
            key: value
            for key, value in errors.items()
            if sections.section_of(key, all_sections) == section
        }
        context["error_list"] = [
            (f"#{key}", message)
            for key, messages_ in context["errors"].items()
            for message in messages_
        ]
        context["back_to_check"] = back_to_check
        if section == "incident":
            context.update(_suspect_context(assessment, request.user))
        return render(request, "risk/section.html", context)

    post = request.POST
    typed = any(post.get(f"household-new-{name}", "").strip() for name in ("name", "relationship"))
    if section == "household" and typed and not post.get("remove_household"):
        # A member typed but not added is added (or refused with the reason), never
        # dropped: the officer comes back to the list to see it.
        post = post.copy()
        post["add_household"] = "1"
    form, sets = _parse(request, assessment, post)
    finding = section == "incident" and ("suspect_find" in post or "suspect_add" in post)
    if "suspect_find" in post and not people_rules.can_read_people(request.user):
        raise PermissionDenied
    if "suspect_add" in post and not people_rules.can_write_people(request.user):
        raise PermissionDenied
    if not form.rows_changed and not finding:
        form.changes.section_saved = section
    if finding:
        form.changes.perpetrator = None  # finding or adding is the choice
        form.errors.pop("suspect", None)
    try:
        saved, errors = services.assessment_save(
            assessment=assessment,
            user=request.user,
            changes=form.changes,
            version=forms.version_from(request.POST),
        )
        if finding and "suspect_add" in post and not errors and not form.errors:
            new, new_errors = forms.suspect_new(post)
            if new_errors:
                errors.update(new_errors)
            else:
                saved = services.assessment_suspect_add(
                    assessment=saved,
                    user=request.user,
                    data=PersonInput(
                        given_name=new["given_name"],
                        family_name=new["family_name"],
                        date_of_birth=forms.date_from(new["date_of_birth"]),
                    ),
                    version=saved.version,
                )
                url = section_url(saved, section, back_to_check=back_to_check)
                return redirect(f"{url}#suspect")
    except ConflictError as exc:
        # The answers typed stay in this browser (static/app/draft.js) to restore.
        assessment.refresh_from_db()
        return _render_section(
            request, assessment, section, status=409, errors={"version": [exc.message]}
        )
    except DomainError as exc:
        assessment.refresh_from_db()
        if assessment.status != AssessmentStatus.DRAFT:
            return redirect("dv1_edit", pk=assessment.pk)
        return _render_section(
            request, assessment, section, status=400, errors=exc.errors or {"": [exc.message]}
        )
    errors = {**form.errors, **errors}
    if finding and "suspect_find" in post and not errors:
        _log_view(request, saved, "Completing DV1")
        found = _suspect_find(request, saved)
        return _render_section(
            request,
            saved,
            section,
            status=400 if found["errors"] else 200,
            errors=found["errors"],
            results=found["results"],
        )
    if errors:
        return _render_section(
            request,
            saved,
            section,
            status=400,
            errors=errors,
            new_member=form.new_member,
            supplement_sets=sets,
        )
    if form.rows_changed:
        anchor = "dv1-household" if form.household_changed else "dv1-witnesses"
        return redirect(f"{section_url(saved, section, back_to_check=back_to_check)}#{anchor}")
    if request.POST.get("then") == "tasks":
        return redirect("dv1_edit", pk=saved.pk)
    if section == "level" and (level_errors := level_reason_errors(saved)):
        # Saved, but the level still needs its reason: say so here, not at submission.
        return _render_section(request, saved, section, status=400, errors=level_errors)
    if back_to_check:
        return redirect("dv1_check", pk=saved.pk)
    order = [t["section"].slug for t in page_context(saved)["sections"]]
    following = order[order.index(section) + 1 :] if section in order else []
    if following:
        return redirect("dv1_section", pk=saved.pk, section=following[0])
    return redirect("dv1_check", pk=saved.pk)


@role_required(*rules.DV1_WRITERS)
@never_cache
def dv1_check(request, pk: int):
    """Check your answers: every section's answers with a link to change them, then
    the Submit button."""
    assessment = _assessment_for(request, pk)
    if not rules.can_edit_assessment(request.user, assessment):
        if rules.can_read_assessment(request.user, assessment):
            return redirect("dv1_edit", pk=assessment.pk)
        raise PermissionDenied
    _log_view(request, assessment, "Checking DV1")
    context = page_context(assessment, editing=True)
    context.update(_open_cases_context(assessment))
    return render(request, "risk/check.html", context)


def _row_focus(post, form: forms.DraftForm, context: dict) -> dict:
    """Where focus goes after a household member or witness is added or removed, and
    what the live region says: the added row; after a removal, the row that took its
    place (else the one before it, else the empty list)."""
    if form.household_changed:
        rows, key, kind = context["household"], "focus_household", "household"
    elif form.witnesses_changed:
        rows, key, kind = context["witnesses"], "focus_witness", "witness"
    else:
        return {}
    removed = post.get(f"remove_{kind}", "")
    if removed:
        posted = [i for i in post.getlist(f"{kind}-row") if i.isdigit()]
        at = posted.index(removed) if removed in posted else 0
        if kind == "household":
            name = post.get(f"household-{removed}-name", "").strip() or "The person"
            message = f"{name} removed from the household"
        else:
            message = f"Witness {at + 1} removed"
        focus = min(at, len(rows) - 1) if rows else -1
        return {key: focus, "rows_announcement": message}
    refused = [f"{kind}-new-{name}" for name in ("name", "relationship", "date_of_birth")]
    refused = [name for name in refused if name in form.errors]
    if refused:
        # Refused: focus goes to the first field to correct (its error is shown there).
        return {"focus_new_field": refused[0]}
    if not rows:
        return {}
    if kind == "household":
        message = f"{rows[-1]['name']} added to the household"
    else:
        message = f"Witness {len(rows)} added"
    return {key: len(rows) - 1, "rows_announcement": message}


@role_required(*rules.DV1_WRITERS)
@require_POST
def dv1_autosave(request, pk: int):
    """Save the draft as it is typed (htmx): returns the save status, and out of band
    the new version, the live score and any row list that changed. Without JavaScript
    ("Save draft") it redirects back to the page."""
    assessment = _assessment_for(request, pk, edit=True)
    post = request.POST
    if request.htmx and request.htmx.trigger == "dv1-form":
        # The form's own save as typed: htmx may still send the add or remove button
        # pressed before it, which must not add or remove a row a second time.
        post = post.copy()
        for button in ROW_BUTTONS:
            post.pop(button, None)
    form, sets = _parse(request, assessment, post)
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
    context = page_context(
        assessment,
        errors=errors,
        new_member=form.new_member,
        supplement_sets=sets,
        editing=True,
    )
    context.update(_row_focus(request.POST, form, context))
    context.update(
        saved_at=timezone.now(),
        household_changed=form.household_changed,
        witnesses_changed=form.witnesses_changed,
        level_on_page="level_reason" in request.POST,
    )
    return render(request, "risk/_autosave.html", context)


@role_required(*rules.DV1_WRITERS)
@require_POST
def dv1_submit(request, pk: int):
    """Submit from check your answers (any changes posted with it are saved first).
    Anything missing comes back on check your answers, each problem linking to its
    field on its section's page; a DV1 saved by someone else since is refused."""
    assessment = _assessment_for(request, pk, edit=True)
    form, _ = _parse(request, assessment)
    try:
        saved, version, errors = assessment, forms.version_from(request.POST), dict(form.errors)
        if form.has_changes:
            saved, save_errors = services.assessment_save(
                assessment=assessment, user=request.user, changes=form.changes, version=version
            )
            errors.update(save_errors)
            version = saved.version
        if not errors:
            saved = services.assessment_submit(
                assessment=saved,
                user=request.user,
                version=version,
                case_choice=forms.case_choice(request.POST),
            )
            return redirect("dv1_confirmation", pk=saved.pk)
        status = 400
    except ConflictError as exc:
        errors, status = {"version": [exc.message]}, 409
    except DomainError as exc:
        errors, status = exc.errors or {"version": [exc.message]}, 400
    assessment.refresh_from_db()
    if assessment.status != AssessmentStatus.DRAFT:
        return redirect("dv1_edit", pk=assessment.pk)
    _log_view(request, assessment, "Checking DV1")
    context = page_context(
        assessment, errors=errors, new_member=form.new_member, editing=True, back_to_check=True
    )
    context.update(_open_cases_context(assessment, request.POST))
    return render(request, "risk/check.html", context, status=status)


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
        {
            "assessment": assessment,
            "criteria": assessment.marac_criteria,
            "draft_sections": sections.every_slug(SUPPLEMENT_CODES),
        },
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
