from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "People, places, organisation and cases"
    default_auto_field = "django.db.models.BigAutoField"
