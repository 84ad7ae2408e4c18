"""Out of hours on shared pages: who was told about a case (the case page), and the
alerts of cases nobody at work was told about (the supervisors' home and queue pages).
One query each."""

from __future__ import annotations

from django import template

from cases import out_of_hours_selectors as selectors

register = template.Library()

# At most this many alerts are listed on a page; the rest are counted.
LISTED = 20


def _told_texts(alert) -> list[str]:
    return [f"{t.get('name')} ({t.get('as')}, {t.get('team')})" for t in alert.told or []]


@register.inclusion_tag("casework/_out_of_hours.html")
def out_of_hours_on_case(case):
    """Who was told at once, and when, that the case arrived with nobody at work in its
    queue's team; or that nobody could be told, and whether someone acknowledged it."""
    alerts = list(selectors.case_alerts(case=case))
    for alert in alerts:
        alert.told_texts = _told_texts(alert)
    return {"alerts": alerts}


@register.inclusion_tag("casework/_out_of_hours_alerts.html", takes_context=True)
def out_of_hours_alerts(context):
    """The banner on the supervisors' pages: high-risk cases nobody at work was told
    about, each with a link to the case and a button to acknowledge it. Nothing for
    anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"alerts": []}
    alerts = list(selectors.open_alerts(user=user)[: LISTED + 1])
    return {
        "alerts": alerts[:LISTED],
        "more": len(alerts) > LISTED,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
    }
