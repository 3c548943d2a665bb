"""`{% load follows %}{% follow_button obj %}`: a Follow / Following button for any
followable object (see `townhall.activity.follows`). Shown only to signed-in people who
can follow the object, or who already follow it (so they can stop).

A page that shows the object only to people who may read it (its view went through
`visible_to`) says so with `{% follow_button obj seen=True %}`, which spares the check
again."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models

from townhall.activity.follows import can_follow, follow_token, is_followable, is_following

register = template.Library()


@register.inclusion_tag("activity/_follow_button.html", takes_context=True)
def follow_button(
    context: template.Context, target: models.Model, seen: bool = False
) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {"can_follow": False, "following": False}
    following = is_following(user, target)
    return {
        "csrf_token": context.get("csrf_token"),
        "token": follow_token(target),
        "next": request.get_full_path(),
        "following": following,
        "can_follow": following
        or (bool(user.is_active and is_followable(target)) if seen else can_follow(user, target)),
    }
