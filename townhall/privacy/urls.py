from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.my_data, name="my-data"),
    path("export/", views.export_request, name="export-request"),
    path("export/<str:token>/status/", views.export_status, name="export-status"),
    path("export/<str:token>/download/", views.export_download, name="export-download"),
    path("erase/", views.erase, name="erase"),
    path("erased/", views.erased, name="erased"),
]
