"""privacy over the REST API: /api/v1/me/export/ and /api/v1/me/erase/."""

from django.urls import path

from . import views

urlpatterns = [
    path("export/", views.ExportView.as_view(), name="me-export"),
    path("export/<str:token>/", views.ExportStatusView.as_view(), name="me-export-status"),
    path(
        "export/<str:token>/download/",
        views.ExportDownloadView.as_view(),
        name="me-export-download",
    ),
    path("erase/", views.EraseView.as_view(), name="me-erase"),
]
