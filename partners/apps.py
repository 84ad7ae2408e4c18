from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner agencies: the contact timeline and the agencies working with a victim"
    default_auto_field = "django.db.models.BigAutoField"
