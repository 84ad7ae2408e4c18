"""The DV1 as a task list: its sections in order, each section's status, which section
holds a field, and which open questions are still unanswered. Pure functions over the
draft's plain data (answers, supplements, what the officer has saved), no database.

The DASH checklist is split into three pages of about nine questions; each supplement
that an answer opens (stalking from question 8, honour-based abuse) is a section of its
own, listed only while it is open.
"""

from __future__ import annotations

from dataclasses import dataclass

from risk import scoring

NOT_STARTED, IN_PROGRESS, COMPLETED, CANNOT_START = (
    "Not yet started",
    "In progress",
    "Completed",
    "Cannot start yet",
)
DASH_PARTS = 3
# Sections whose content may rightly be empty (no witnesses, no household): completed
# once the officer has saved them with "Save and continue".
SAVED_WHEN_DONE = {"incident", "household", "evidence"}
LEVEL_FIELDS = {"officer_level", "level_reason", "professional_judgement_reason"}
ANSWERED = {"yes", "no", "not_known"}


@dataclass(frozen=True)
class Section:
    """One page of the DV1. `questions` are the fields of the yes/no questions on it
    (`q7`, `stalking-S1`), in page order."""

    slug: str
    title: str
    group: str
    hint: str = ""
    questions: tuple[str, ...] = ()
    supplement: str = ""


@dataclass(frozen=True)
class Unanswered:
    field: str
    section: str
    label: str


def dash_parts(questions: list[dict]) -> list[list[dict]]:
    """The checklist in three parts of (nearly) equal size, in order."""
    size = -(-len(questions) // DASH_PARTS) if questions else 0
    return [questions[i : i + size] for i in range(0, len(questions), size)] if size else []


def sections_for(*, questions: list[dict], supplements: list[tuple[str, str, list[dict]]]):
    """The DV1's sections in order. `supplements` are the open ones as (name, title,
    questions)."""
    made = [
        Section("incident", "What happened", "About the incident"),
        Section(
            "household",
            "Household members and children",
            "About the incident",
            hint="Confirm who lives with the victim, and her children",
        ),
    ]
    for part in dash_parts(questions):
        first, last = part[0]["number"], part[-1]["number"]
        made.append(
            Section(
                f"dash-{len(made) - 1}",
                f"DASH questions {first} to {last}",
                "DASH risk checklist",
                questions=tuple(f"q{q['code']}" for q in part),
            )
        )
    for name, title, qs in supplements:
        made.append(
            Section(
                name,
                title,
                "DASH risk checklist",
                hint="Opened by your answers",
                questions=tuple(f"{name}-{q['code']}" for q in qs),
                supplement=name,
            )
        )
    made += [
        Section(
            "evidence",
            "Witnesses, safeguarding and evidence",
            "After the checklist",
        ),
        Section(
            "level",
            "Risk level",
            "After the checklist",
            hint="Your level, and your reasons if it differs from the suggestion",
        ),
    ]
    return made


def section_of(field: str, sections: list[Section]) -> str:
    """The slug of the section holding a form field (as named in error keys)."""
    for section in sections:
        if field in section.questions:
            return section.slug
    if field in LEVEL_FIELDS:
        return "level"
    if field.startswith("household"):
        return "household"
    if field.startswith(("witness", "safeguarding", "evidence")):
        return "evidence"
    if field == "narrative" or field.startswith("suspect"):
        return "incident"
    return ""


def _answer(field: str, answers: dict, supplement_answers: dict) -> str:
    if field.startswith("q"):
        return (answers.get(field[1:]) or {}).get("answer", "")
    name, _, code = field.partition("-")
    return ((supplement_answers.get(name) or {}).get(code) or {}).get("answer", "")


def unanswered(
    *, sections: list[Section], answers: dict, supplement_answers: dict
) -> list[Unanswered]:
    """Every open question not answered yet, in the order of the form: the checklist's
    and those of every open supplement. "Not known" is an answer."""
    missing = []
    for section in sections:
        for field in section.questions:
            if _answer(field, answers, supplement_answers) not in ANSWERED:
                code = field[1:] if field.startswith("q") else field.partition("-")[2]
                where = f" of the {section.title.lower()}" if section.supplement else ""
                missing.append(Unanswered(field, section.slug, f"question {code}{where}"))
    return missing


def status_of(
    section: Section,
    *,
    answers: dict,
    supplement_answers: dict,
    saved: list[str],
    has_content: bool,
    level_errors: dict | None = None,
    officer_level: str = "",
) -> str:
    """Not yet started, In progress or Completed, for one section.

    Question pages are completed when every question on them is answered. The risk level
    is completed when a level is chosen with whatever reasons it needs. Pages whose
    content may be empty are completed once saved with "Save and continue"."""
    if section.questions:
        given = [_answer(f, answers, supplement_answers) in ANSWERED for f in section.questions]
        if all(given):
            return COMPLETED
        return IN_PROGRESS if any(given) else NOT_STARTED
    if section.slug == "level":
        if officer_level and not level_errors:
            return COMPLETED
        return IN_PROGRESS if officer_level or has_content else NOT_STARTED
    if section.slug in saved:
        return COMPLETED
    return IN_PROGRESS if has_content else NOT_STARTED


def every_slug(supplement_names) -> list[str]:
    """Every slug a DV1 section can have (the device copies of a submitted DV1 are
    cleared by these)."""
    dash = [f"dash-{i}" for i in range(1, DASH_PARTS + 1)]
    return ["incident", "household", *dash, *supplement_names, "evidence", "level"]


def supplements_open(assessment) -> list[str]:
    """The supplements the draft's answers open (question `opens:` and the honour context)."""
    opens = {
        q["code"]: q.get("opens", []) for q in assessment.question_set.questions if q.get("opens")
    }
    return scoring.supplements_to_open(
        answers=assessment.answers, honour_context=assessment.honour_context, opens=opens
    )
