"""The joined-up view of a citizen, for staff, under /citizens/."""

from django.urls import path

from . import views

app_name = "citizens"
urlpatterns = [
    path("<int:pk>/", views.citizen_record, name="citizen-record"),
    path("<int:pk>/notes/", views.share_note, name="note-share"),
]
