from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "marac"
    verbose_name = "MARAC"
    default_auto_field = "django.db.models.BigAutoField"
