from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "townhall.transparency"
    label = "transparency"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import rollups

        rollups.connect()  # the dashboard's rollups follow the activity log
