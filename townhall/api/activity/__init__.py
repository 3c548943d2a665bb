"""Notifications and follows over the REST API.

A person's notifications and follows are theirs alone: every read starts from
`Notification.objects.visible_to` / `Follow.objects.visible_to`, every write goes through
`townhall.activity.actions`. Following something the caller cannot see is a 404, as if it
did not exist.

- `serializers`: the wire formats (a notification: `id`, `reason`, `summary`, `url`,
  `created_at`, `read_at`; a follow: `id`, `kind`, `title`, `url`, `created_at`).
- `targets`: what can be followed through the API (`request`, `conversation`,
  `discussion`, `agency`), found as the caller may see it.
- `views`: the endpoints.
"""

from .views import (
    FollowDetailView,
    FollowListView,
    NotificationListView,
    NotificationReadAllView,
    NotificationReadView,
    NotificationUnreadCountView,
)

__all__ = [
    "FollowDetailView",
    "FollowListView",
    "NotificationListView",
    "NotificationReadAllView",
    "NotificationReadView",
    "NotificationUnreadCountView",
]
