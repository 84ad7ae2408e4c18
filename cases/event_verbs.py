"""The verbs of casework's domain events (cases, queues, assignment, safety plans, cover
and out of hours) and how the case history reads them. `dasapp.events` finds this
module on first use; a new casework verb goes here (see that module's docstring)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from dasapp.choices import RiskLevel
from dasapp.events import (
    and_list,
    by,
    entry,
    numbered,
    parse_at,
    register_verbs,
    verb_formatter,
    when,
    why,
)
from dasapp.templatetags.dasapp_tags import hours_in_words


@register_verbs
class EventVerb(models.TextChoices):
    CASE_OPENED = "case_opened", "Case opened"
    CASE_JOINED = "case_joined", "New incident joined the case"
    CASE_OPENED_ALONGSIDE = "case_opened_alongside", "Another case opened for the victim"
    RISK_LEVEL_CHANGED = "risk_level_changed", "Risk level changed"
    CASE_ROUTED = "case_routed", "Case routed to a queue"
    CASE_CLAIMED = "case_claimed", "Case claimed"
    CASE_RELEASED = "case_released", "Case released"
    CASE_REASSIGNED = "case_reassigned", "Case reassigned"
    CASE_CLOSED = "case_closed", "Case closed"
    MARKERS_RAISED = "markers_raised", "High-risk markers raised"
    MARKERS_LIFTED = "markers_lifted", "High-risk markers lifted"
    SAFETY_PLAN_AGREED = "safety_plan_agreed", "Safety plan agreed with the victim"
    SAFETY_ACTION_ADDED = "safety_action_added", "Safety-plan action added"
    SAFETY_ACTION_DONE = "safety_action_done", "Safety-plan action done"
    SAFETY_ACTION_REASSIGNED = "safety_action_reassigned", "Safety-plan action moved"
    SAFETY_ACTION_ESCALATED = "safety_action_escalated", "Safety-plan action escalated"
    SAFETY_ACTION_CANCELLED = "safety_action_cancelled", "Safety-plan action cancelled"
    CASE_OWNER_AWAY = "case_owner_away", "Case owner away: supervisors told"
    ABSENCE_CANCELLED = "absence_cancelled", "Absence cancelled: moved actions stay"
    OUT_OF_HOURS_TOLD = "out_of_hours_told", "Nobody at work in the queue's team: out of hours told"
    OUT_OF_HOURS_ACKNOWLEDGED = "out_of_hours_acknowledged", "Out-of-hours alert acknowledged"
    RISK_LEVEL_AGREED = "risk_level_agreed", "Risk level agreed"
    GRADING_CHALLENGED = "grading_challenged", "Risk grading challenged"
    CHALLENGE_ANSWERED = "challenge_answered", "Challenge answered"
    SUPERVISOR_REVIEW_DONE = "supervisor_review_done", "Supervisor reviewed the risk level"


def risk_level_text(value) -> str:
    """A risk level an event holds, in words: "high", or the value itself ("none")."""
    return RiskLevel(value).label.lower() if value in RiskLevel.values else str(value or "none")


def _case_ref(pk) -> str:
    return numbered("C", pk, "another case")


@verb_formatter(EventVerb.RISK_LEVEL_CHANGED)
def _risk_level_changed(event, names):
    old, new = event.old or {}, event.new or {}
    what = f"Risk level changed from {risk_level_text(old.get('risk_level'))} to "
    what += risk_level_text(new.get("risk_level"))
    if new.get("source") == "dv1":
        what += " on a DV1"
    return entry(event, f"{what} {by(event)}{why(event)}")


@verb_formatter(EventVerb.CASE_ROUTED)
def _case_routed(event, names):
    old, new = event.old or {}, event.new or {}
    sentence = f"Routed to {new.get('queue', 'a queue')}"
    if old.get("queue") and old.get("queue") != new.get("queue"):
        sentence += f" from {old['queue']}"
    sentence += f" {by(event)}"
    return entry(event, sentence, [new["note"]] if new.get("note") else [])


@verb_formatter(EventVerb.MARKERS_RAISED)
def _markers_raised(event, names):
    sentence = f"High-risk markers raised on the victim's record, addresses and numbers {by(event)}"
    return entry(event, sentence + why(event))


@verb_formatter(EventVerb.MARKERS_LIFTED)
def _markers_lifted(event, names):
    return entry(event, f"High-risk markers lifted {by(event)}{why(event)}")


@verb_formatter(EventVerb.CASE_OPENED)
def _case_opened(event, names):
    new = event.new or {}
    sentence = f"Case opened at {risk_level_text(new.get('risk_level'))} risk {by(event)}"
    if new.get("alongside"):
        beside = ", ".join(_case_ref(pk) for pk in new["alongside"])
        sentence += f", alongside {beside}{why(event)}"
    return entry(event, sentence)


@verb_formatter(EventVerb.CASE_JOINED)
def _case_joined(event, names):
    new = event.new or {}
    if new.get("assessment"):
        dv1 = numbered("DV1", new["assessment"], "a DV1")
        sentence = f"{dv1} added to the case {by(event)}{why(event)}"
    else:
        sentence = f"A new incident joined the case {by(event)}"
    details = []
    if new.get("kept_higher"):
        details.append(
            f"The DV1 recorded {risk_level_text(new.get('level'))} risk; the case stays at "
            f"{risk_level_text(new.get('case_level'))}. Change the risk level, with a reason, "
            "to lower it."
        )
    return entry(event, sentence, details)


@verb_formatter(EventVerb.CASE_OPENED_ALONGSIDE)
def _case_opened_alongside(event, names):
    other = _case_ref((event.new or {}).get("case"))
    return entry(event, f"{other} opened alongside this case {by(event)}{why(event)}")


@verb_formatter(EventVerb.CASE_CLAIMED)
def _case_claimed(event, names):
    return entry(event, f"Case claimed {by(event)}")


@verb_formatter(EventVerb.CASE_RELEASED)
def _case_released(event, names):
    owner = (event.old or {}).get("name") or "its owner"
    return entry(event, f"Case released from {owner} {by(event)}{why(event)}")


@verb_formatter(EventVerb.CASE_REASSIGNED)
def _case_reassigned(event, names):
    old, new = event.old or {}, event.new or {}
    source = f" from {old['name']}" if old.get("name") else ""
    to = new.get("name", "someone else")
    sentence = f"Case reassigned{source} to {to} {by(event)}{why(event)}"
    details = []
    if new.get("queue") and new.get("queue") != old.get("queue"):
        moved = f" from {old['queue']}" if old.get("queue") else ""
        details.append(
            f"{new.get('team') or 'Another team'} covers: moved{moved} to {new['queue']}"
        )
    due = parse_at(new.get("review_due_at"))
    if due is not None and new.get("review_due_at") != old.get("review_due_at"):
        target = new.get("review_target_hours")
        within = f", within {new['queue']}'s target of {hours_in_words(target)}" if target else ""
        details.append(
            f"Review now due by {timezone.localtime(due):%-d %b %Y %H:%M}{within} "
            "(a move never makes a review later)"
        )
    return entry(event, sentence, details)


@verb_formatter(EventVerb.CASE_CLOSED)
def _case_closed(event, names):
    return entry(event, f"Case closed {by(event)}{why(event)}")


def _safety_action_owner(event) -> list[object]:
    """The owner's id, for actions added before their owner's name was kept with the
    event."""
    new = event.new or {}
    return [] if new.get("owner_name") else [new.get("owner")]


@verb_formatter(EventVerb.SAFETY_ACTION_ADDED, mentions=_safety_action_owner)
def _safety_action_added(event, names):
    """`Safety-plan action added: Patrols past the address, for Mark Fenwick, due 1 Dec
    2026 10:30, by …`: the catalogue label, never the free text (it may hold the
    victim's details). Events from before the label and names were kept say what they
    can."""
    new = event.new or {}
    what = ""
    if "label" in new:
        what = f": {new['label'] or 'an action described in the plan'}"
    if new.get("owner_name") or new.get("owner") in names:
        who = new.get("owner_name") or names[new["owner"]]
    elif new.get("owner_team_name") or new.get("owner_team"):
        who = f"{new.get('owner_team_name') or new['owner_team']} (the whole team)"
    else:
        who = ""
    parts = [f"Safety-plan action added{what}"]
    if who:
        parts.append(f"for {who}")
    try:
        due = dt.datetime.fromisoformat(new["due_at"])
    except (KeyError, TypeError, ValueError):
        pass
    else:
        parts.append(f"due {timezone.localtime(due):%-d %b %Y %H:%M}")
    return entry(event, f"{', '.join(parts)}, {by(event)}")


@verb_formatter(EventVerb.ABSENCE_CANCELLED)
def _absence_cancelled(event, names):
    old, new = event.old or {}, event.new or {}
    count = new.get("count") or len(new.get("actions") or [])
    actions = "1 safety-plan action" if count == 1 else f"{count} safety-plan actions"
    holders = and_list(new.get("now_with") or []) or "someone at work"
    absent = old.get("absent_name") or "The owner"
    return entry(
        event,
        f"{absent}'s absence cancelled (recorded by mistake) {by(event)}: {actions} of this "
        f"case had been moved to {holders} because of it, and "
        f"{'it stays' if count == 1 else 'they stay'} there",
    )


@verb_formatter(EventVerb.OUT_OF_HOURS_TOLD)
def _out_of_hours_told(event, names):
    new = event.new or {}
    told = [f"{t.get('name')} ({t.get('as')}, {t.get('team')})" for t in new.get("told") or []]
    team = new.get("team") or "the receiving team"
    if told:
        sentence = f"Nobody in {team} at work: told at once {and_list(told)}, {when(event.at)}"
    else:
        sentence = (
            f"Nobody in {team} nor on the out-of-hours list at work, {when(event.at)}: "
            "supervisors alerted"
        )
    return entry(event, sentence)


@verb_formatter(EventVerb.OUT_OF_HOURS_ACKNOWLEDGED)
def _out_of_hours_acknowledged(event, names):
    return entry(event, f"Out-of-hours alert acknowledged {by(event)}")


# Reviewing a case's risk level (the case page's agree and challenge, and the answer).
@verb_formatter(EventVerb.RISK_LEVEL_AGREED)
def _risk_level_agreed(event, names):
    level = risk_level_text((event.new or {}).get("risk_level"))
    return entry(event, f"Risk level {level} agreed {by(event)}{why(event)}")


def _challenged_officer(event) -> list[object]:
    return [(event.new or {}).get("officer")]


@verb_formatter(EventVerb.GRADING_CHALLENGED, mentions=_challenged_officer)
def _grading_challenged(event, names):
    officer = names.get((event.new or {}).get("officer"))
    asked = f" {officer} was asked to answer." if officer else ""
    sentence = f"Officer's risk grading challenged {by(event)}{why(event)}.{asked}"
    return entry(event, sentence.replace("..", "."))


@verb_formatter(EventVerb.CHALLENGE_ANSWERED)
def _challenge_answered(event, names):
    return entry(event, f"Challenge answered {by(event)}{why(event)}")
