"""Public discussions over the REST API.

Every write goes through `townhall.conversations.discussions`, every read through
`townhall.conversations.discussion_queries` (which start from
`Thread.objects.discussions_visible_to`: public discussions are readable by everyone).
The message format extends the conversations' one (`author`, `title`, `body_html`,
`created_at`, `hidden`, `url`) with `parent`, `official` and `helpful`.

- `serializers`: the wire formats (issue 4 fixes the names: `agency`, `title`, `body`).
- `views`: the list and start endpoint, one discussion, writing in it, helpful marks.
"""

from .views import (
    DiscussionDetailView,
    DiscussionHelpfulView,
    DiscussionListView,
    DiscussionMessagesView,
)

__all__ = [
    "DiscussionDetailView",
    "DiscussionHelpfulView",
    "DiscussionListView",
    "DiscussionMessagesView",
]
