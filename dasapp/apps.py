from django.apps import AppConfig


class DasappConfig(AppConfig):
    name = "dasapp"
    verbose_name = "Platform: users, access log, health"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dasapp import signals

        signals.connect()
