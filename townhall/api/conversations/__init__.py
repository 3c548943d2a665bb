"""Conversations with a named staff member or a team over the REST API.

Every write goes through `townhall.conversations.actions`, every read through
`townhall.conversations.queries` (which start from `Thread.objects.visible_to`). A
conversation the caller may not read is a 404, never a 403.

- `serializers`: the wire formats (issue 4 fixes the names: `staff`, `team`, `subject`,
  `body`, `messages` with `author`, `title`, `body_html`, `created_at`, `hidden`, `url`,
  and `promise` with `text` and `due_at`).
- `views`: the list and start endpoint, one conversation, and writing in it.
"""

from .views import ConversationDetailView, ConversationListView, ConversationMessagesView

__all__ = ["ConversationDetailView", "ConversationListView", "ConversationMessagesView"]
