"""The citizen's own page, under /my-government/."""

from django.urls import path

from . import views

app_name = "my_government"
urlpatterns = [
    path("", views.my_government, name="index"),
    path("access-log/", views.my_access_log, name="access-log"),
    path("consent/", views.consent, name="consent"),
]
