from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from townhall import health
from townhall.agencies import views as agency_views
from townhall.identity import oidc

urlpatterns = [
    path("", agency_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # allauth's OpenID Connect views with Townhall's nonce and private_key_jwt (identity/oidc.py)
    path("accounts/oidc/<str:provider_id>/login/", oidc.login, name="openid_connect_login"),
    path(
        "accounts/oidc/<str:provider_id>/login/callback/",
        oidc.callback,
        name="openid_connect_callback",
    ),
    path("accounts/", include("allauth.urls")),
    path("account/", include("townhall.identity.urls")),
    path("account/tokens/", include("townhall.api.page_urls")),
    path("agencies/", include("townhall.agencies.urls")),
    path("when-is-it-due/", include("townhall.commitments.urls")),
    path("requests/", include("townhall.service_requests.urls")),
    path("inbox/", include("townhall.service_requests.inbox_urls")),
    path("conversations/", include("townhall.conversations.urls")),
    path("moderation/", include("townhall.conversations.moderation_urls")),
    path("discussions/", include("townhall.conversations.discussion_urls")),
    path("notifications/", include("townhall.activity.urls")),
    path("consultations/", include("townhall.consultations.urls")),
    # the joined-up view of a citizen (staff) and the citizen's own page
    path("citizens/", include("townhall.citizens.urls")),
    path("my-government/", include("townhall.citizens.my_urls")),
    # own your data: archive and erasure
    path("my-data/", include("townhall.privacy.urls")),
    path("transparency/", include("townhall.transparency.dashboard_urls")),
    path("api/v1/", include("townhall.api.urls")),
    path("open311/", include("townhall.open311.urls")),
    path("feeds/", include("townhall.transparency.urls")),
    # open data: /data/, /data.json, /data/<dataset>.csv|json
    path("", include("townhall.transparency.data_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

handler400 = "townhall.errors.bad_request"
handler403 = "townhall.errors.permission_denied"
handler404 = "townhall.errors.page_not_found"
handler500 = "townhall.errors.server_error"
