from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import calendar, views

app_name = "api"
urlpatterns = [
    path("auth/token/", views.TokenCreateView.as_view(), name="token-create"),
    path("auth/tokens/", views.TokenListView.as_view(), name="token-list"),
    path("auth/tokens/<int:pk>/", views.TokenRevokeView.as_view(), name="token-revoke"),
    path("me/", views.AccountView.as_view(), name="me"),
    path("agencies/", views.AgencyViewSet.as_view({"get": "list"}), name="agency-list"),
    path(
        "agencies/<slug:slug>/",
        views.AgencyViewSet.as_view({"get": "retrieve"}),
        name="agency-detail",
    ),
    path("services/", views.ServiceViewSet.as_view({"get": "list"}), name="service-list"),
    path(
        "services/<slug:code>/",
        views.ServiceViewSet.as_view({"get": "retrieve"}),
        name="service-detail",
    ),
    path("calendar/due/", calendar.DueDateView.as_view(), name="calendar-due"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
]
