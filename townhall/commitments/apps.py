from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "townhall.commitments"
    label = "commitments"
    default_auto_field = "django.db.models.BigAutoField"
