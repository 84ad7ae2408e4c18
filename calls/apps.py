from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = "Calls: incidents, their questions, grading, look-up and dispatch"
    default_auto_field = "django.db.models.BigAutoField"
