"""Open311 GeoReport v2 under /open311/. The format is the suffix after the last dot."""

from django.urls import re_path

from . import views

app_name = "open311"

FORMAT = r"\.(?P<fmt>json|xml)"

urlpatterns = [
    re_path(rf"^discovery{FORMAT}\Z", views.discovery, name="discovery"),
    re_path(rf"^v2/services{FORMAT}\Z", views.service_list, name="service-list"),
    re_path(
        rf"^v2/services/(?P<code>[^/]+){FORMAT}\Z",
        views.service_definition,
        name="service-definition",
    ),
    re_path(rf"^v2/requests{FORMAT}\Z", views.request_list, name="request-list"),
    re_path(
        rf"^v2/requests/(?P<service_request_id>[^/]+){FORMAT}\Z",
        views.request_detail,
        name="request-detail",
    ),
    re_path(rf"^v2/tokens/(?P<token>[^/]+){FORMAT}\Z", views.token_detail, name="token-detail"),
    # Anything else under /open311/ answers 404 in Open311's error format.
    re_path(r"^(?P<rest>[\s\S]*)\Z", views.not_found, name="not-found"),
]
