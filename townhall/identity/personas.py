"""Which face a signed-in person is acting with on the page they are on (decision 0016).

A person who works for an agency has one login and two faces: on staff pages (the inbox,
moderation, the joined-up view of a citizen, in-person checks) they act as their work
persona, signed with its work name, title and agency; everywhere else as themselves.
The header says which (base.html). People without a work persona see nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# URL namespaces (and single views) where someone acts for their agency.
STAFF_NAMESPACES = frozenset({"inbox", "moderation", "citizens"})
STAFF_VIEWS = frozenset(
    {
        "identity:verify-in-person",
        "consultations:consultation-create",
        "consultations:consultation-publish",
        "consultations:consultation-revise",
        "consultations:question-create",
        "consultations:consultation-respond",
        "consultations:theme-create",
        "consultations:theme-answer",
        "consultations:amendment-answer",
        "consultations:response-publish",
        "consultations:document-create",
    }
)


@dataclass(frozen=True)
class Face:
    is_staff_page: bool
    personas: list[Any] = field(default_factory=list)  # active staff memberships

    @property
    def signatures(self) -> list[str]:
        return [persona.signature for persona in self.personas]


def is_staff_page(request: Any) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return match.namespace in STAFF_NAMESPACES or match.view_name in STAFF_VIEWS


def face_of(request: Any) -> Face | None:
    """The face acting on this page, or None for visitors and people without a work
    persona. No query when the staff check of this request already fetched the personas."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    personas = getattr(user, "_townhall_personas", None)  # agencies.second_factor's
    if personas is None:
        personas = list(
            user.staff_memberships.filter(is_active=True)
            .select_related("agency")
            .order_by("agency__name", "pk")
        )
    if not personas:
        return None
    return Face(is_staff_page=is_staff_page(request), personas=personas)
