"""The DASH question sets as versioned data (YAML under risk/data/)."""

from __future__ import annotations

from pathlib import Path

from calls.models import QuestionSet
from calls.question_sets import load_question_set

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED = [
    "dash_police_v1.yaml",
    "dash_safelives_v1.yaml",
    "supplement_stalking_v1.yaml",
    "supplement_hba_v1.yaml",
]
# Supplement names used by `opens:` in the checklists, and their question-set codes.
SUPPLEMENT_CODES = {"stalking": "supplement-stalking", "hba": "supplement-hba"}


def load_bundled() -> list[QuestionSet]:
    return [load_question_set(DATA_DIR / name) for name in BUNDLED]


def current_set(code: str) -> QuestionSet:
    qset = QuestionSet.objects.filter(code=code, is_current=True).first()
    if qset is None:
        load_bundled()
        qset = QuestionSet.objects.get(code=code, is_current=True)
    return qset
