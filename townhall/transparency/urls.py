from django.urls import path

from . import feeds, views

app_name = "transparency"
urlpatterns = [
    path("agencies/<slug:slug>.atom", feeds.AgencyActivityFeed(), name="agency-feed"),
    path("consultations.atom", feeds.ConsultationsFeed(), name="consultations-feed"),
    path(
        "consultations/<int:pk>.atom",
        feeds.ConsultationUpdatesFeed(),
        name="consultation-feed",
    ),
    path(
        "agencies/<slug:slug>/consultations.atom",
        feeds.ConsultationsFeed(),
        name="agency-consultations-feed",
    ),
    path(
        "services/<slug:slug>/<slug:code>.atom",
        feeds.ServiceRequestsFeed(),
        name="service-feed",
    ),
    path("requests/<str:reference>.atom", feeds.RequestTimelineFeed(), name="request-feed"),
    path(
        "commitments/<str:token>.ics",
        views.commitments_calendar,
        name="commitments-calendar",
    ),
    path("my-calendar/", views.calendar_feed_manage, name="calendar-feed-manage"),
    path("my-calendar/new/", views.calendar_feed_create, name="calendar-feed-create"),
    path("my-calendar/<int:pk>/revoke/", views.calendar_feed_revoke, name="calendar-feed-revoke"),
]
