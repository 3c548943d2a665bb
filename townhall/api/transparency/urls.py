"""transparency over the REST API: the public dashboard's figures."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "agencies/",
        views.AgencyFiguresListView.as_view(),
        name="transparency-agency-list",
    ),
    path(
        "agencies/<slug:slug>/",
        views.AgencyFiguresView.as_view(),
        name="transparency-agency-detail",
    ),
]
