"""Use cases that change service requests: filing, the staff's work on them, “me too”.

Every function here is keyword-only, takes `by=` the acting account, runs in one
transaction, checks who may act, moves the request only along `models.TRANSITIONS`, and
appends one Activity entry about the request (`target=request`, `citizen=` the requester,
the agency, and the staff persona that acted). Staff entries name the person:
"Sam Rivera, Road Maintenance Supervisor, took this request".

Errors are `PermissionDenied` (who may not do this) and `ValidationError` (what is wrong
with the input or the request's state), each with a message a person understands. A
refused action changes nothing.

Times: some actions take `at=` (default: now) where the moment matters to a deadline, so
imports, the demo city and tests can say when something happened.

The package's modules: `filing`, `holding` (take, assign, transfer), `conversation`
(replies, notes, clarifications, answers), `lifecycle` (close, reopen, decline,
duplicates, extensions), `promises` (keeping a promise typed in a reply), `bulk`,
`team_tools` (saved replies, routing rules), `support` (“me too”), and `steps`, what they
all share.
"""

from .bulk import BulkResult, bulk_assign, bulk_close
from .contacts import claim_contact_requests
from .conversation import add_internal_note, answer_request, reply_to_request, request_clarification
from .filing import (
    AssuranceTooLow,
    Filing,
    IdempotencyConflict,
    clean_location,
    file_request,
    file_request_outcome,
)
from .holding import assign_request, take_request, transfer_request
from .lifecycle import (
    close_request,
    decline_request,
    extend_deadline,
    mark_duplicate,
    reopen_request,
)
from .promises import keep_promise
from .support import support_request, withdraw_support
from .team_tools import (
    add_routing_rule,
    create_saved_reply,
    delete_saved_reply,
    remove_routing_rule,
)

__all__ = [
    "AssuranceTooLow",
    "BulkResult",
    "IdempotencyConflict",
    "add_internal_note",
    "add_routing_rule",
    "remove_routing_rule",
    "answer_request",
    "assign_request",
    "bulk_assign",
    "bulk_close",
    "claim_contact_requests",
    "clean_location",
    "close_request",
    "create_saved_reply",
    "decline_request",
    "delete_saved_reply",
    "extend_deadline",
    "file_request",
    "file_request_outcome",
    "Filing",
    "keep_promise",
    "mark_duplicate",
    "reopen_request",
    "reply_to_request",
    "request_clarification",
    "support_request",
    "take_request",
    "transfer_request",
    "withdraw_support",
]
