from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """The site's name for the header, title and emails."""
    return {"SITE_NAME": settings.SITE_NAME}
