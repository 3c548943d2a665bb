from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import activity, calendar, conversations, discussions, moderation, requests, views

app_name = "api"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("auth/token/", views.TokenCreateView.as_view(), name="token-create"),
    path("auth/tokens/", views.TokenListView.as_view(), name="token-list"),
    path("auth/tokens/<int:pk>/", views.TokenRevokeView.as_view(), name="token-revoke"),
    path("me/", views.AccountView.as_view(), name="me"),
    path("agencies/", views.AgencyViewSet.as_view({"get": "list"}), name="agency-list"),
    path(
        "agencies/<slug:slug>/",
        views.AgencyViewSet.as_view({"get": "retrieve"}),
        name="agency-detail",
    ),
    path("services/", views.ServiceViewSet.as_view({"get": "list"}), name="service-list"),
    path(
        "services/<slug:code>/",
        views.ServiceViewSet.as_view({"get": "retrieve"}),
        name="service-detail",
    ),
    path("requests/", requests.RequestListView.as_view(), name="request-list"),
    path(
        "requests/<str:reference>/",
        requests.RequestDetailView.as_view(),
        name="request-detail",
    ),
    *[
        path(f"requests/<str:reference>/{action}/", view.as_view(), name=f"request-{action}")
        for action, view in [
            ("take", requests.TakeView),
            ("assign", requests.AssignView),
            ("transfer", requests.TransferView),
            ("reply", requests.ReplyView),
            ("notes", requests.NotesView),
            ("clarify", requests.ClarifyView),
            ("answer", requests.AnswerView),
            ("close", requests.CloseView),
            ("decline", requests.DeclineView),
            ("duplicate", requests.DuplicateView),
            ("extend", requests.ExtendView),
            ("reopen", requests.ReopenView),
            ("support", requests.SupportView),
        ]
    ],
    path(
        "requests/<str:reference>/commitments/<int:pk>/keep/",
        requests.KeepView.as_view(),
        name="request-commitment-keep",
    ),
    path(
        "requests/<str:reference>/files/<int:pk>/",
        requests.AttachmentView.as_view(),
        name="request-file",
    ),
    path(
        "conversations/",
        conversations.ConversationListView.as_view(),
        name="conversation-list",
    ),
    path(
        "conversations/<int:pk>/",
        conversations.ConversationDetailView.as_view(),
        name="conversation-detail",
    ),
    path(
        "conversations/<int:pk>/messages/",
        conversations.ConversationMessagesView.as_view(),
        name="conversation-messages",
    ),
    path("discussions/", discussions.DiscussionListView.as_view(), name="discussion-list"),
    path(
        "discussions/<int:pk>/",
        discussions.DiscussionDetailView.as_view(),
        name="discussion-detail",
    ),
    path(
        "discussions/<int:pk>/messages/",
        discussions.DiscussionMessagesView.as_view(),
        name="discussion-messages",
    ),
    path(
        "discussions/<int:pk>/messages/<int:message_pk>/helpful/",
        discussions.DiscussionHelpfulView.as_view(),
        name="discussion-message-helpful",
    ),
    path("messages/<int:pk>/flags/", moderation.MessageFlagsView.as_view(), name="message-flags"),
    path("moderation/queue/", moderation.ModerationQueueView.as_view(), name="moderation-queue"),
    path(
        "moderation/messages/<int:pk>/hide/",
        moderation.HideView.as_view(),
        name="moderation-hide",
    ),
    path(
        "moderation/messages/<int:pk>/restore/",
        moderation.RestoreView.as_view(),
        name="moderation-restore",
    ),
    path(
        "moderation/threads/<int:pk>/lock/",
        moderation.LockView.as_view(),
        name="moderation-lock",
    ),
    path(
        "moderation/threads/<int:pk>/unlock/",
        moderation.UnlockView.as_view(),
        name="moderation-unlock",
    ),
    path(
        "notifications/",
        activity.NotificationListView.as_view(),
        name="notification-list",
    ),
    path(
        "notifications/read-all/",
        activity.NotificationReadAllView.as_view(),
        name="notification-read-all",
    ),
    path(
        "notifications/unread-count/",
        activity.NotificationUnreadCountView.as_view(),
        name="notification-unread-count",
    ),
    path(
        "notifications/<int:pk>/read/",
        activity.NotificationReadView.as_view(),
        name="notification-read",
    ),
    path("follows/", activity.FollowListView.as_view(), name="follow-list"),
    path("follows/<int:pk>/", activity.FollowDetailView.as_view(), name="follow-detail"),
    path("consultations/", include("townhall.api.consultations.urls")),
    # citizens/{id}/timeline/, me/timeline/, me/access-log/
    path("", include("townhall.api.citizens.urls")),
    # me/export/, me/erase/
    path("me/", include("townhall.api.privacy.urls")),
    path("transparency/", include("townhall.api.transparency.urls")),
    path("calendar/due/", calendar.DueDateView.as_view(), name="calendar-due"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
]
