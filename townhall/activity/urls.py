from django.urls import path

from . import inbound_views, views

app_name = "activity"
urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("read/", views.notification_read, name="notification-read"),
    path("email/", views.email_settings, name="email-settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("follow/", views.follow_change, name="follow-change"),
    path("inbound/anymail/", inbound_views.anymail_inbound, name="inbound-anymail"),
]
