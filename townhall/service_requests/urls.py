"""Citizen-facing request pages, under /requests/."""

from django.urls import path

from . import views

app_name = "requests"
urlpatterns = [
    path("new/", views.request_new, name="request-new"),
    path("new/<slug:code>/", views.request_file, name="request-file"),
    path("mine/", views.request_mine, name="request-mine"),
    path("<str:reference>/", views.request_detail, name="request-detail"),
    path("<str:reference>/calendar.ics", views.request_ics, name="request-ics"),
    path(
        "<str:reference>/files/<int:pk>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path("<str:reference>/me-too/", views.request_support, name="request-support"),
    path("<str:reference>/reply/", views.request_reply, name="request-reply"),
    path("<str:reference>/reopen/", views.request_reopen, name="request-reopen"),
]
