"""The staff inbox, under /inbox/."""

from django.urls import path

from . import inbox_views as views
from . import routing_views

app_name = "inbox"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("saved-replies/", views.saved_replies, name="saved-replies"),
    path("routing/", routing_views.routing_rules, name="routing"),
    path("<str:reference>/", views.request_detail, name="request"),
    path("<str:reference>/take/", views.take, name="take"),
    path("<str:reference>/assign/", views.assign, name="assign"),
    path("<str:reference>/transfer/", views.transfer, name="transfer"),
    path("<str:reference>/reply/", views.reply, name="reply"),
    path("<str:reference>/note/", views.note, name="note"),
    path("<str:reference>/clarify/", views.clarify, name="clarify"),
    path("<str:reference>/answer/", views.answer, name="answer"),
    path("<str:reference>/close/", views.close, name="close"),
    path("<str:reference>/decline/", views.decline, name="decline"),
    path("<str:reference>/duplicate/", views.duplicate, name="duplicate"),
    path("<str:reference>/extend/", views.extend, name="extend"),
    path("<str:reference>/keep/", views.keep, name="keep"),
    path("<str:reference>/files/<int:pk>/", views.attachment, name="attachment"),
]
