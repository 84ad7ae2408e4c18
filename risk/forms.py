"""The DV1 page's form: read what the officer posted (autosave, add or remove a row,
submit) into the service's `DraftChanges`. Shape only; the service owns the rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from django.utils import timezone

from risk.services import JOIN, NEW, SUSPECT_NOT_KNOWN, CaseChoice, DraftChanges

SAFEGUARDING = [
    ("arrest", "Arrest made"),
    ("dvpn", "Domestic violence protection notice served"),
    ("idva", "Referral to an independent domestic violence advocate (IDVA)"),
    ("childrens_services", "Referral to children's services"),
    ("refuge", "Referral to a refuge"),
    ("other", "Other"),
]
EVIDENCE = [
    ("recording_999", "999 call recording"),
    ("body_worn_video", "Body-worn video"),
    ("photos_scene", "Photographs of the scene"),
    ("photos_injuries", "Photographs of injuries"),
    ("witness_statements", "Witness statements"),
    ("admissions", "Admissions by the suspect"),
    ("other", "Other"),
]
# Parts of a page; each posts a hidden `section` marker so that an unticked checkbox
# (which the browser does not send) is read as "no", not as "not on the form".
# "answers" is the whole checklist with the honour context and the open supplements;
# a page with some of it posts "questions" (the checklist questions on that page),
# "honour" (the honour-context box) or "supplements" (the open supplements on it).
SECTIONS = {
    "household",
    "witnesses",
    "answers",
    "questions",
    "honour",
    "supplements",
    "safeguarding",
    "evidence",
    "narrative",
    "level",
    "suspect",
}
# The suspect question's answers besides a person's id.
SUSPECT_OTHER = "other"

SHORT = 200
LONG = 4000


@dataclass
class DraftForm:
    """What was posted, as changes for the service, plus what the page needs to
    re-render a row list after an add or a remove."""

    changes: DraftChanges
    errors: dict[str, list[str]] = field(default_factory=dict)
    new_member: dict = field(default_factory=dict)
    household_changed: bool = False
    witnesses_changed: bool = False
    # The suspect chosen: a person's id (one of the incident's suspects, or one found by
    # "Someone else"), "not_known", or "" when not answered. The view checks the id.
    suspect: str = ""

    @property
    def has_changes(self) -> bool:
        return any(getattr(self.changes, f.name) is not None for f in fields(self.changes))

    @property
    def rows_changed(self) -> bool:
        """A household member or witness was added or removed (not "Save and continue")."""
        return self.household_changed or self.witnesses_changed


def _text(post, name: str, limit: int = SHORT) -> str:
    return (post.get(name) or "").strip()[:limit]


def _date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _answers(post, prefix: str, codes: list[str]) -> dict:
    answers = {}
    for code in codes:
        name = f"{prefix}{code}"
        if name in post or f"{name}-comment" in post:
            answers[code] = {
                "answer": post.get(name, ""),
                "comment": _text(post, f"{name}-comment", LONG),
            }
    return answers


def _rows(post, prefix: str) -> list[str]:
    return [i for i in post.getlist(f"{prefix}-row") if i.isdigit()]


def _household(post, form: DraftForm) -> list[dict]:
    removed = post.get("remove_household", "")
    members = []
    for i in _rows(post, "household"):
        if i == removed:
            form.household_changed = True
            continue
        person_id = post.get(f"household-{i}-person_id", "")
        members.append(
            {
                "person_id": int(person_id) if person_id.isdigit() else None,
                "name": _text(post, f"household-{i}-name"),
                "relationship": _text(post, f"household-{i}-relationship"),
                "date_of_birth": _text(post, f"household-{i}-date_of_birth", 10),
                "confirmed": f"household-{i}-confirmed" in post,
            }
        )
    if post.get("add_household"):
        form.household_changed = True
        new = {
            "name": _text(post, "household-new-name"),
            "relationship": _text(post, "household-new-relationship"),
            "date_of_birth": _text(post, "household-new-date_of_birth", 10),
        }
        born = _date(new["date_of_birth"]) if new["date_of_birth"] else None
        if not new["name"]:
            form.errors["household-new-name"] = ["Enter the household member's name"]
        if not new["relationship"]:
            form.errors["household-new-relationship"] = [
                "Enter how the household member is related to the victim"
            ]
        if new["date_of_birth"] and born is None:
            form.errors["household-new-date_of_birth"] = [
                "Date of birth must be a real date, for example 27/3/2015"
            ]
        elif born and born > timezone.localdate():
            form.errors["household-new-date_of_birth"] = ["Date of birth must be in the past"]
        if any(key.startswith("household-new-") for key in form.errors):
            form.new_member = new
        else:
            members.append(
                {
                    "person_id": None,
                    "name": new["name"],
                    "relationship": new["relationship"],
                    "date_of_birth": born.isoformat() if born else "",
                    # Given by the victim at the scene: confirmed with her by definition.
                    "confirmed": True,
                }
            )
    return members


def _witnesses(post, form: DraftForm) -> list[dict]:
    removed = post.get("remove_witness", "")
    witnesses = []
    for i in _rows(post, "witness"):
        if i == removed:
            form.witnesses_changed = True
            continue
        witnesses.append(
            {
                "name": _text(post, f"witness-{i}-name"),
                "contact": _text(post, f"witness-{i}-contact"),
                "saw": _text(post, f"witness-{i}-saw", LONG),
            }
        )
    if post.get("add_witness"):
        form.witnesses_changed = True
        witnesses.append({"name": "", "contact": "", "saw": ""})
    return witnesses


def _ticks(post, name: str, choices: list[tuple[str, str]]) -> dict:
    ticked = set(post.getlist(name))
    values: dict = {key: key in ticked for key, _ in choices}
    values["other_detail"] = _text(post, f"{name}-other_detail", LONG)
    return values


def parse_draft(
    post, *, question_codes: list[str], supplement_codes: dict[str, list[str]]
) -> DraftForm:
    """Read the DV1 form. Only the sections on the page are read, so a partial post
    changes nothing else. `supplement_codes` maps an open supplement to its codes."""
    sections = set(post.getlist("section")) & SECTIONS
    form = DraftForm(changes=DraftChanges())
    changes = form.changes
    if "household" in sections:
        changes.household = _household(post, form)
    if "witnesses" in sections:
        changes.witnesses = _witnesses(post, form)
    if sections & {"answers", "questions"}:
        changes.answers = _answers(post, "q", question_codes)
    if sections & {"answers", "honour"}:
        changes.honour_context = "honour_context" in post
    if sections & {"answers", "supplements"}:
        shown = set(post.getlist("supplement"))
        changes.supplements = {
            name: _answers(post, f"{name}-", codes)
            for name, codes in supplement_codes.items()
            if name in shown
        }
    if "safeguarding" in sections:
        changes.safeguarding = _ticks(post, "safeguarding", SAFEGUARDING)
    if "evidence" in sections:
        changes.evidence = _ticks(post, "evidence", EVIDENCE)
    if "narrative" in sections:
        changes.narrative = _text(post, "narrative", 20000)
    if "suspect" in sections:
        answer = post.get("suspect", "")
        if answer == SUSPECT_OTHER:
            answer = post.get("suspect-choice", "")
        if answer.isdigit() or answer == SUSPECT_NOT_KNOWN:
            form.suspect = answer
    if "level" in sections:
        changes.officer_level = post.get("officer_level", "")
        changes.level_reason = _text(post, "level_reason", LONG)
        changes.professional_judgement = "professional_judgement" in post
        changes.professional_judgement_reason = _text(post, "professional_judgement_reason", LONG)
    return form


def version_from(post) -> int | None:
    value = post.get("version", "")
    return int(value) if value.isdigit() else None


def case_choice(post) -> CaseChoice | None:
    """The officer's choice between her open cases and a new one, or None when the page
    offered no choice (she had no open case when it was shown)."""
    if "open_case_offered" not in post:
        return None
    value = post.get("open_case", "")
    if value == NEW:
        return CaseChoice(action=NEW, reason=_text(post, "open_case_reason", LONG))
    if value.isdigit():
        return CaseChoice(action=JOIN, case_id=int(value))
    return CaseChoice()


@dataclass
class SuspectSearch:
    """ "Someone else": the name and date of birth to find them by."""

    name: str
    date_of_birth: dt.date | None
    errors: dict[str, list[str]]


def suspect_search(post) -> SuspectSearch:
    name = _text(post, "suspect-name", 100)
    typed = _text(post, "suspect-date_of_birth", 10)
    born = _date(typed) if typed else None
    errors: dict[str, list[str]] = {}
    if typed and born is None:
        errors["suspect-date_of_birth"] = [
            "Date of birth must be a real date, for example 27/3/1990"
        ]
    elif not name and not typed:
        errors["suspect-name"] = ["Enter the suspect's name or date of birth to search for"]
    return SuspectSearch(name, born, errors)


def suspect_new(post) -> tuple[dict, dict[str, list[str]]]:
    """A new person as the suspect: given name, family name, date of birth if known.
    Their names are the person service's to require."""
    new = {
        "given_name": _text(post, "suspect-new-given_name"),
        "family_name": _text(post, "suspect-new-family_name"),
        "date_of_birth": _text(post, "suspect-new-date_of_birth", 10),
    }
    errors: dict[str, list[str]] = {}
    if new["date_of_birth"] and _date(new["date_of_birth"]) is None:
        errors["suspect-new-date_of_birth"] = [
            "Date of birth must be a real date, for example 27/3/1990"
        ]
    return new, errors


def date_from(text: str) -> dt.date | None:
    return _date(text) if text else None
