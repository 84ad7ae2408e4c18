"""What each role's home page shows: a frame of panels that the apps contribute.

The kernel keeps the page's frame, the order of its panels and the helpers their text
shares; each app registers the panels that list its work with `@register_home_panel`
in its own `home_panels.py` (found on first use, like `work_items.py`). A panel names
the roles that see it (None: anyone signed in, the panel itself deciding), its place
on the page, and a function (user, context) -> the section to show, or None to show
nothing.

Panels are in the order of the roles they serve (`role_order`), so that someone
holding several roles sees each role's panels together, in Role order, as a single
role would: administration first (0), then each role's own lists (call-taker 100, …,
supervisor 1000), then the panels shown across roles (`ACROSS_ROLES` and after).
A panel listing real work says so when it is empty: never a fixed "nothing to do".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from dasapp.roles import Role, role_names


@dataclass
class HomeSection:
    title: str
    empty_text: str
    items: list = field(default_factory=list)
    link_text: str = ""
    link_url: str = ""


@dataclass(frozen=True)
class HomeContext:
    """What every panel of one page shares: the user's roles and the time of the page."""

    names: frozenset[str]
    now: dt.datetime


# section(user, context) -> the section to show, or None for nothing.
PanelFunction = Callable[..., HomeSection | None]


@dataclass(frozen=True)
class HomePanel:
    roles: frozenset[str] | None  # who sees it (any of these); None: the function decides
    order: int
    section: PanelFunction


_panels: list[HomePanel] = []
_discovered = False

# The place of the panels shown across roles, after every role's own lists.
ACROSS_ROLES = 2000


def role_order(role: str, position: int = 0) -> int:
    """The place of a role's own panel: the role's band (in Role order), then `position`
    (0 to 99) within it."""
    return (Role.values.index(role) + 1) * 100 + position


def register_home_panel(
    *, roles: frozenset[str] | set[str] | None, order: int
) -> Callable[[PanelFunction], PanelFunction]:
    """Decorator: `section(user, context)` is a panel of the home page of those holding
    any of `roles` (with None, of everyone: it returns None where it has nothing to
    show), placed by `order`. A function may be registered for several places."""

    def decorator(section: PanelFunction) -> PanelFunction:
        _panels.append(
            HomePanel(
                roles=frozenset(roles) if roles is not None else None, order=order, section=section
            )
        )
        return section

    return decorator


def home_panels() -> list[HomePanel]:
    """Every registered panel in page order (equal orders: as registered)."""
    _discover()
    return sorted(_panels, key=lambda panel: panel.order)


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("home_panels")
        _discovered = True


def home_sections(user) -> list[HomeSection]:
    context = HomeContext(names=role_names(user), now=timezone.now())
    sections: list[HomeSection] = []
    for panel in home_panels():
        if panel.roles is not None and not (context.names & panel.roles):
            continue
        section = panel.section(user, context)
        if section is not None:
            sections.append(section)
    return sections


# Helpers the panels' text shares ------------------------------------------------------


def due_text(at) -> str:
    """The due date as the lists show it (", due 14 Jul 15:00", local time), or nothing."""
    return f", due {timezone.localtime(at):%-d %b %H:%M}" if at else ""


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"
