from django.urls import path

from . import moderation_views as views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("messages/<int:message_pk>/report/", views.flag_new, name="flag-new"),
    path("messages/<int:message_pk>/appeal/", views.appeal_new, name="appeal-new"),
    path("messages/<int:message_pk>/hide/", views.message_hide, name="message-hide"),
    path("messages/<int:message_pk>/restore/", views.message_restore, name="message-restore"),
    path("messages/<int:message_pk>/dismiss/", views.message_dismiss, name="message-dismiss"),
    path("threads/<int:thread_pk>/lock/", views.thread_lock, name="thread-lock"),
    path("threads/<int:thread_pk>/unlock/", views.thread_unlock, name="thread-unlock"),
    path("appeals/<int:appeal_pk>/decide/", views.appeal_decide, name="appeal-decide"),
    path("log/<slug:slug>/", views.log, name="log"),
]
