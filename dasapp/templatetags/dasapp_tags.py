from django import template

from dasapp import local_time, rules

register = template.Library()


@register.filter
def widget_type(bound_field) -> str:
    """The widget class name of a bound field (e.g. "Textarea"), for the field include."""
    return bound_field.field.widget.__class__.__name__


@register.filter
def duration_words(value) -> str:
    """A timedelta in words for people: "30 minutes", "1 hour", "1 hour 30 minutes"."""
    if value is None:
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


@register.filter
def hours_in_words(hours) -> str:
    """A whole number of hours for people, in days when it is whole days: "7 days",
    "1 day", "36 hours", "1 hour" (a queue's review target)."""
    if hours is None or hours == "":
        return ""
    hours = int(hours)
    if hours and hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{hours} hour{'s' if hours != 1 else ''}"


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` for dicts in templates; None when absent."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def answer_label(value, question):
    """The label of a stored answer for a question from a question set."""
    if value in (None, "", []):
        return ""
    labels = {str(c["value"]): c["label"] for c in question.get("choices", [])}
    labels.update({"yes": "Yes", "no": "No", "not_known": "Not known"})
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    return labels.get(str(value), str(value))


@register.filter
def isodate(value, fmt="j M Y"):
    """Format an ISO date-time string (as kept in JSON snapshots) in local time."""
    import datetime as dt

    from django.utils import timezone
    from django.utils.dateformat import format as date_format

    if not value:
        return ""
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return value
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return date_format(parsed, fmt)


@register.filter
def date_for_field(value) -> str:
    """A stored ISO date as a one-field date input shows it ("27/3/2027"); what was
    typed and could not be read, as typed."""
    return local_time.date_for_field(value)


@register.filter
def may_read_access_log(user) -> bool:
    """Whether `user` may read the access log (dasapp.rules)."""
    return rules.may_read_access_log(user)
