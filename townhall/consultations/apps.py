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

        from townhall.conversations.moderation_registry import (
            register_log_source,
            register_queue_source,
        )

        from . import moderation

        # Comments are moderated from the one queue and told in the agency's public log.
        register_queue_source("consultation-reported-comments", moderation.reported_section)
        register_queue_source("consultation-comment-appeals", moderation.appeals_section)
        register_queue_source("consultation-hidden-comments", moderation.hidden_section)
        register_log_source("consultation-comments", moderation.log_feed)
