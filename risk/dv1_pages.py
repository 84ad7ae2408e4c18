"""What each page of the DV1 shows: the questions with their answers, the household,
the task list's sections and their status, the score panel's counts, the errors and
where each links. Reads only; the views in `risk.views` render it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dasapp.choices import RiskLevel
from risk import forms, scoring, sections
from risk.models import Assessment
from risk.question_sets import SUPPLEMENT_CODES, current_set

OWN_WORDS = {"2", "3"}  # DASH questions that invite the victim's own words


def int_or_none(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


# The form: a task list of sections, a page per section, check your answers ------------


def opened_because(assessment: Assessment, name: str) -> str:
    numbers = [
        str(q["number"])
        for q in assessment.question_set.questions
        if name in q.get("opens", [])
        and (assessment.answers.get(q["code"]) or {}).get("answer") == "yes"
    ]
    if numbers:
        return f"Shown because question {' and '.join(numbers)} was answered yes."
    return "Shown because you said the context calls for these questions."


def question_rows(questions: list[dict], answers: dict, prefix: str) -> list[dict]:
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


def age_from(date_of_birth: str) -> int | None:
    try:
        born = dt.date.fromisoformat(date_of_birth)
    except (TypeError, ValueError):
        return None
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def household(assessment: Assessment) -> list[dict]:
    members = []
    for member in assessment.household:
        age = age_from(member.get("date_of_birth", ""))
        members.append({**member, "age": age, "is_child": age is not None and age < 18})
    return members


def ticks(values: dict, choices) -> list[dict]:
    return [
        {"value": key, "label": label, "checked": bool((values or {}).get(key))}
        for key, label in choices
    ]


def supplement_sets(names: list[str]) -> dict:
    return {name: current_set(SUPPLEMENT_CODES[name]) for name in names}


def section_url(assessment: Assessment, slug: str, *, back_to_check: bool = False) -> str:
    url = reverse("dv1_section", args=[assessment.pk, slug])
    return f"{url}?return=check" if back_to_check else url


def has_content(assessment: Assessment, slug: str) -> bool:
    ticked = any(
        value
        for ticks in (assessment.safeguarding or {}, assessment.evidence or {})
        for value in ticks.values()
    )
    return {
        "incident": bool(assessment.narrative.strip()),
        "household": bool(assessment.household),
        "evidence": bool(assessment.witnesses) or ticked,
        "level": bool(
            assessment.level_reason.strip()
            or assessment.professional_judgement
            or assessment.professional_judgement_reason.strip()
        ),
    }.get(slug, False)


def level_reason_errors(assessment: Assessment) -> dict:
    """What the risk level page still needs once a level is chosen: a reason for a level
    other than the suggestion, and one for a professional judgement (the messages
    submission gives)."""
    level_check = scoring.check_officer_level(
        suggested=assessment.suggested_level or scoring.STANDARD,
        chosen=assessment.officer_level,
        reason=assessment.level_reason,
    )
    level_errors = dict(level_check.errors) if assessment.officer_level else {}
    if assessment.professional_judgement and not assessment.professional_judgement_reason.strip():
        level_errors["professional_judgement_reason"] = ["Explain the professional judgement"]
    return level_errors


def page_context(
    assessment: Assessment,
    *,
    errors=None,
    new_member=None,
    supplement_sets=None,
    editing: bool = False,
    back_to_check: bool = False,
    here: str = "",
) -> dict:
    """Everything a DV1 page shows: the answers, the sections with their status, the
    score panel with the open questions still unanswered. `editing` links the panel and
    the error summary to the section pages."""
    errors = errors or {}
    sets = supplement_sets or {}
    supplements = []
    for name in sections.supplements_open(assessment):
        qset = sets.get(name) or current_set(SUPPLEMENT_CODES[name])
        given = (assessment.supplements.get(name) or {}).get("answers", {})
        supplements.append(
            {
                "name": name,
                "title": qset.title,
                "questions": question_rows(qset.questions, given, f"{name}-"),
                "because": opened_because(assessment, name),
            }
        )
    questions = question_rows(assessment.question_set.questions, assessment.answers, "q")
    all_sections = sections.sections_for(
        questions=assessment.question_set.questions,
        supplements=[(s["name"], s["title"], s["questions"]) for s in supplements],
    )
    supplement_answers = {
        name: (value or {}).get("answers", {}) for name, value in assessment.supplements.items()
    }
    level_errors = level_reason_errors(assessment)
    rows_by_field = {q["field"]: q for q in questions}
    rows_by_field.update({q["field"]: q for s in supplements for q in s["questions"]})
    task_list = []
    for section in all_sections:
        status = sections.status_of(
            section,
            answers=assessment.answers,
            supplement_answers=supplement_answers,
            saved=assessment.sections_saved,
            has_content=has_content(assessment, section.slug),
            level_errors=level_errors,
            officer_level=assessment.officer_level,
        )
        task_list.append(
            {
                "section": section,
                "status": status,
                "url": section_url(assessment, section.slug),
                "rows": [rows_by_field[f] for f in section.questions],
            }
        )
    missing = sections.unanswered(
        sections=all_sections, answers=assessment.answers, supplement_answers=supplement_answers
    )
    first = None
    if missing and editing:
        first = {
            "label": missing[0].label,
            "url": f"{section_url(assessment, missing[0].section)}#{missing[0].field}",
        }
    check_url = reverse("dv1_check", args=[assessment.pk])

    def anchor(key: str) -> str:
        """Where an error links: its field on this page, else on its section's page."""
        if not editing:
            return f"#{key}"
        if key == "version":
            return "#save-status" if here else check_url
        if key in ("open_case", "open_case_reason"):
            return f"#{key}" if not here else check_url  # asked on check your answers
        slug = sections.section_of(key, all_sections)
        if slug and slug == here:
            return f"#{key}"
        if not slug:
            return check_url
        return f"{section_url(assessment, slug, back_to_check=back_to_check)}#{key}"

    return {
        "assessment": assessment,
        "questions": questions,
        "supplements": supplements,
        "sections": task_list,
        "all_completed": all(t["status"] == sections.COMPLETED for t in task_list),
        "not_completed": [t for t in task_list if t["status"] != sections.COMPLETED],
        "completed_count": sum(t["status"] == sections.COMPLETED for t in task_list),
        "household": household(assessment),
        "witnesses": list(enumerate(assessment.witnesses)),
        "safeguarding": ticks(assessment.safeguarding, forms.SAFEGUARDING),
        "safeguarding_other": (assessment.safeguarding or {}).get("other_detail", ""),
        "evidence": ticks(assessment.evidence, forms.EVIDENCE),
        "evidence_other": (assessment.evidence or {}).get("other_detail", ""),
        "levels": RiskLevel.choices,
        "answer_choices": [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")],
        "criteria": assessment.marac_criteria,
        "unanswered": len(missing),
        "first_unanswered": first,
        "errors": errors,
        "error_list": [
            (anchor(key), message) for key, messages_ in errors.items() for message in messages_
        ],
        "new_member": new_member or {},
        "check_url": check_url,
    }


def section_context(context: dict, slug: str) -> dict | None:
    """The page for one section, or None when the DV1 has no such section (a supplement
    no longer open)."""
    found = next((t for t in context["sections"] if t["section"].slug == slug), None)
    if found is None:
        return None
    section = found["section"]
    order = [t["section"].slug for t in context["sections"]]
    at = order.index(slug)
    kind = slug
    if section.supplement:
        kind = "supplement"
        context["supplement"] = next(
            s for s in context["supplements"] if s["name"] == section.supplement
        )
    elif section.questions:
        kind = "questions"
        wanted = set(section.questions)
        context["part"] = [
            {**q, "opens_hint": opens_hint(q)} for q in context["questions"] if q["field"] in wanted
        ]
        # The honour-context box sits after the last checklist question.
        context["with_honour"] = section.slug == last_dash(context["sections"])
    context.update(
        section=section,
        step_number=at + 1,
        step_count=len(order),
        kind=kind,
        draft_key=f"dv1:{context['assessment'].pk}:{slug}",
    )
    return context


def opens_hint(question: dict) -> str:
    """Tell the officer that a yes adds a supplement's questions to the DV1."""
    titles = []
    for name in question.get("opens", []):
        if name in SUPPLEMENT_CODES:
            title = current_set(SUPPLEMENT_CODES[name]).title
            titles.append(title[:1].lower() + title[1:])
    if not titles:
        return ""
    return f"If yes, the {' and the '.join(titles)} follow the checklist."


def last_dash(task_list: list[dict]) -> str:
    dash = [t["section"].slug for t in task_list if t["section"].slug.startswith("dash-")]
    return dash[-1] if dash else ""
