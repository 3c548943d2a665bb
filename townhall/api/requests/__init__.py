"""Service requests over the REST API: filing, reading, and the lifecycle actions.

Every write goes through `townhall.service_requests.actions`, every read through
`townhall.service_requests.queries` (which apply `visible_to`). This package only reads
JSON, names things the way issue 3 promised clients (`service`, `attributes`, `location`
with `lat`/`long`, `public`, `commitments`, `timeline`...) and writes JSON back.

- `serializers`: the wire formats, read and sent.
- `views`: the list and filing endpoint, one request, its files, “me too”; the error
  translation and the representation the lifecycle endpoints share.
- `lifecycle`: the staff (and requester) actions on one request.

A request the caller may not see is a 404, never a 403, so a private request's reference
does not even confirm that it exists.
"""

from .lifecycle import (
    AnswerView,
    AssignView,
    ClarifyView,
    CloseView,
    DeclineView,
    DuplicateView,
    ExtendView,
    KeepView,
    NotesView,
    ReopenView,
    ReplyView,
    TakeView,
    TransferView,
)
from .views import AttachmentView, RequestDetailView, RequestListView, SupportView

__all__ = [
    "AnswerView",
    "AssignView",
    "AttachmentView",
    "ClarifyView",
    "CloseView",
    "DeclineView",
    "DuplicateView",
    "ExtendView",
    "KeepView",
    "NotesView",
    "ReopenView",
    "ReplyView",
    "RequestDetailView",
    "RequestListView",
    "SupportView",
    "TakeView",
    "TransferView",
]
