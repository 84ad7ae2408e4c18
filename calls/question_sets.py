"""Loads the bundled question sets (YAML under calls/data/) as versioned data."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from calls.models import QuestionSet

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED = ["call_questions_v1.yaml"]


@transaction.atomic
def load_question_set(path: Path, *, make_current: bool = True) -> QuestionSet:
    spec = yaml.safe_load(path.read_text())
    qset, created = QuestionSet.objects.get_or_create(
        code=spec["code"],
        version=spec["version"],
        defaults={"title": spec["title"], "questions": spec["questions"]},
    )
    if not created and qset.questions != spec["questions"]:
        raise ValueError(
            f"{spec['code']} version {spec['version']} is already loaded with other questions: "
            "give the changed set a new version number."
        )
    if make_current and not qset.is_current:
        QuestionSet.objects.filter(code=qset.code, is_current=True).update(is_current=False)
        qset.is_current = True
        qset.save(update_fields=["is_current"])
    return qset


def load_bundled_question_sets() -> list[QuestionSet]:
    return [load_question_set(DATA_DIR / name) for name in BUNDLED]
