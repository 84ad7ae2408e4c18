from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = "Risk assessment (DV1 and DASH)"
    default_auto_field = "django.db.models.BigAutoField"
