"""Consultations: drafts in sections, comments, supports, amendments and the agency's public response."""

from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "townhall.consultations"
    label = "consultations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.activity.follows import register_followable

        from .models import Consultation

        # Followers hear of new versions and of the published response.
        register_followable(Consultation)
