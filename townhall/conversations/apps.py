from typing import Any

from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "townhall.conversations"
    label = "conversations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.activity.follows import register_followable

        from .models import Thread

        def can_see_thread(user: Any, thread: Any) -> bool:
            """Public discussions can be followed by whoever can read them, conversations by
            their people (`visible_to`); a request's replies are followed through the
            request."""
            if thread.is_discussion:
                visible = Thread.objects.discussions_visible_to(user)
            else:
                visible = Thread.objects.visible_to(user)
            return bool(visible.filter(pk=thread.pk).exists())

        register_followable(Thread, can_see=can_see_thread)

        from . import inbound

        inbound.register()
