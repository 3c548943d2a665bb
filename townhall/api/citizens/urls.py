"""citizens over the REST API: the joined-up timeline (staff), your timeline and access log."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "citizens/<int:pk>/timeline/", views.CitizenTimelineView.as_view(), name="citizen-timeline"
    ),
    path("me/timeline/", views.MyTimelineView.as_view(), name="me-timeline"),
    path("me/access-log/", views.MyAccessLogView.as_view(), name="me-access-log"),
]
