from django.urls import path

from . import views

app_name = "conversations"
urlpatterns = [
    path("", views.conversation_list, name="conversation-list"),
    path(
        "new/<slug:slug>/people/<slug:person>/",
        views.conversation_new_with_staff,
        name="conversation-new-staff",
    ),
    path(
        "new/<slug:slug>/teams/<slug:team>/",
        views.conversation_new_with_team,
        name="conversation-new-team",
    ),
    path("<int:pk>/", views.conversation_detail, name="conversation-detail"),
    path("<int:pk>/messages/", views.conversation_reply, name="conversation-reply"),
    path(
        "<int:pk>/messages/<int:message_pk>/edit/",
        views.message_edit,
        name="message-edit",
    ),
    path(
        "<int:pk>/promises/<int:promise_pk>/keep/",
        views.promise_keep,
        name="promise-keep",
    ),
    path("<int:pk>/files/<int:file_pk>/", views.conversation_file, name="conversation-file"),
]
