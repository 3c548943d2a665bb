from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "townhall.agencies"
    label = "agencies"
    default_auto_field = "django.db.models.BigAutoField"
