from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People and places: people, addresses, phones, names, relationships and flags"
    default_auto_field = "django.db.models.BigAutoField"
