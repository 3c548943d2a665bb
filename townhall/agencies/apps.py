from typing import Any

from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "townhall.agencies"
    label = "agencies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.activity.follows import register_followable

        # A published agency can be followed by anyone signed in: they hear of its new
        # public discussions.
        def is_published(user: Any, agency: Any) -> bool:
            return bool(agency.is_published)

        register_followable("agencies.Agency", can_see=is_published)

        # The account page says which second factors count for staff (decision 0016).
        from townhall.identity.factor_policy import register_policy_reader

        from .second_factor import policy_for

        register_policy_reader(policy_for)
