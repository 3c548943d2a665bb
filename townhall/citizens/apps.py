from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "townhall.citizens"
    label = "citizens"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.service_requests.signals import private_request_read

        from .receivers import log_staff_read_of_private_request

        private_request_read.connect(
            log_staff_read_of_private_request, dispatch_uid="citizens_log_private_read"
        )
