from django import template

register = template.Library()


@register.filter
def widget_type(bound_field) -> str:
    """The widget class name of a bound field (e.g. "Textarea"), for the field include."""
    return bound_field.field.widget.__class__.__name__
