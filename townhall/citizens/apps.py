from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "townhall.citizens"
    label = "citizens"
    default_auto_field = "django.db.models.BigAutoField"
