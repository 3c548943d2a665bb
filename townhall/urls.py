from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from townhall import health
from townhall.agencies import views as agency_views

urlpatterns = [
    path("", agency_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("townhall.identity.urls")),
    path("account/tokens/", include("townhall.api.page_urls")),
    path("agencies/", include("townhall.agencies.urls")),
    path("when-is-it-due/", include("townhall.commitments.urls")),
    path("requests/", include("townhall.service_requests.urls")),
    path("inbox/", include("townhall.service_requests.inbox_urls")),
    path("notifications/", include("townhall.activity.urls")),
    path("api/v1/", include("townhall.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

handler400 = "townhall.errors.bad_request"
handler403 = "townhall.errors.permission_denied"
handler404 = "townhall.errors.page_not_found"
handler500 = "townhall.errors.server_error"
