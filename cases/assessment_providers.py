"""What casework reads of a case's risk assessments (its DV1s), from the app that holds
them: the DV1s on a case, the latest of them (its level and MARAC criteria, which the
review rules and the case page read), the latest submitted one (whose officer a
challenge goes to) and the shape the case API gives each.

`cases` sits below `risk` and imports nothing of it: `risk` registers the one provider
with `register_assessment_provider` in its `case_assessments.py`, found on first use
(like `admin.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from rest_framework import serializers


class AssessmentProvider(Protocol):
    # How the case API lists a case's DV1s (a serializer of one DV1).
    ref_serializer: type[serializers.Serializer]

    def for_case(self, case) -> list[Any]:
        """The case's submitted and amended DV1s, newest first (one query)."""

    def latest(self, assessments: list[Any]) -> Any | None:
        """Of `for_case`'s list, the one the case is graded on: the newest submitted
        one, else the newest."""

    def latest_submitted(self, case) -> Any | None:
        """The case's newest submitted DV1 (one query), or None."""


_provider: AssessmentProvider | None = None
_discovered = False


def register_assessment_provider(provider: AssessmentProvider) -> AssessmentProvider:
    global _provider
    _provider = provider
    return provider


def assessment_provider() -> AssessmentProvider:
    global _discovered
    if not _discovered:
        autodiscover_modules("case_assessments")
        _discovered = True
    if _provider is None:
        raise ImproperlyConfigured(
            "No app registers the DV1s of a case: install `risk` (risk/case_assessments.py)."
        )
    return _provider
