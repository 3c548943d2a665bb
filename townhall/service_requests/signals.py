"""Signals for the layers above (which this app cannot import).

`private_request_read` is sent when a staff page shows a private request, with `user`
(who read it) and `service_request`: the joined-up view's app (`citizens`) writes it into
the requester's access log (issue: "every staff read of a private request" is logged).
"""

from django.dispatch import Signal

private_request_read = Signal()
