from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "The organisation: force, districts, teams, rotas, staff and their absences"
    default_auto_field = "django.db.models.BigAutoField"
