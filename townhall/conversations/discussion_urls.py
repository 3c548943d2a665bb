from django.urls import path

from . import discussion_views as views

app_name = "discussions"
urlpatterns = [
    path("", views.discussion_list, name="discussion-list"),
    path("agencies/<slug:slug>/", views.discussion_list, name="agency-discussion-list"),
    path("agencies/<slug:slug>/new/", views.discussion_new, name="discussion-new"),
    path("<int:pk>/", views.discussion_detail, name="discussion-detail"),
    path("<int:pk>/messages/", views.discussion_post, name="discussion-post"),
    path(
        "<int:pk>/messages/<int:message_pk>/helpful/",
        views.message_helpful,
        name="message-helpful",
    ),
]
