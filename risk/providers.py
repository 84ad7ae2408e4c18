"""Scoring inputs that only the apps above `risk` know, asked for through providers.
Each such app registers its provider in its `scoring_inputs.py`, found on first use
(like `admin.py`). An input nobody provides is None (nothing known): the DV1 is scored
without it.

- `last_marac_referral_at(assessment)`: when the DV1's victim (with its perpetrator, if
  it names one) was last referred to a MARAC, for the repeat-MARAC criterion (`marac`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from risk.models import Assessment

LAST_MARAC_REFERRAL_AT = "last_marac_referral_at"
INPUTS = frozenset({LAST_MARAC_REFERRAL_AT})

Provider = Callable[["Assessment"], object]
_providers: dict[str, Provider] = {}
_discovered = False


def register_provider(name: str) -> Callable[[Provider], Provider]:
    """Decorator: `provider(assessment)` gives the scoring input `name`."""
    if name not in INPUTS:
        raise ValueError(f"No scoring input is called {name!r}")

    def decorator(provider: Provider) -> Provider:
        known = _providers.setdefault(name, provider)
        if known is not provider:
            raise ValueError(f"{known.__module__}.{known.__qualname__} already provides {name}")
        return provider

    return decorator


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("scoring_inputs")
        _discovered = True


def _provided(name: str, assessment: Assessment) -> object:
    _discover()
    provider = _providers.get(name)
    return provider(assessment) if provider else None


def last_marac_referral_at(assessment: Assessment) -> dt.datetime | None:
    """When the DV1's victim (with its perpetrator, if it names one) was last referred
    to a MARAC; None if never, or if no app provides it."""
    return _provided(LAST_MARAC_REFERRAL_AT, assessment)
