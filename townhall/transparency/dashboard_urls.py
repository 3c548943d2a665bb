"""The public transparency dashboard, under /transparency/."""

from django.urls import path

from . import dashboard_views

app_name = "dashboard"
urlpatterns = [
    path("", dashboard_views.overview, name="overview"),
    path("<slug:slug>/", dashboard_views.agency_detail, name="agency-detail"),
]
