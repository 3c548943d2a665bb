"""The joined-up view of a citizen for staff, the access log, and the citizen's own My government page."""
