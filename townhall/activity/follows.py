"""What can be followed, who may follow it, and who follows it.

`activity` is the lowest layer, so it cannot import the models people follow (requests,
conversations, discussions, agencies, consultations). Each app registers its followable
models instead, usually in its `AppConfig.ready()`:

    from townhall.activity.follows import register_followable

    register_followable("service_requests.ServiceRequest")  # uses .visible_to(user)
    register_followable("agencies.Agency", can_see=lambda user, agency: agency.is_public)

A model that is not registered cannot be followed. A registered model is followed only by
people who can see the object: by default, the object must be in
`Model.objects.visible_to(user)`; `can_see(user, obj)` replaces that check.

Pages put a follow button next to an object with `{% load follows %}{% follow_button obj %}`;
the button posts a signed token naming the object, never a raw content type and id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models

from .models import Follow

CanSee = Callable[[Any, models.Model], bool]

_FOLLOWABLE: dict[str, CanSee | None] = {}
_TOKEN_SALT = "townhall.activity.follow"


def _label(model: type[models.Model] | models.Model | str) -> str:
    if isinstance(model, str):
        return apps.get_model(model)._meta.label_lower
    return model._meta.label_lower


def register_followable(model: type[models.Model] | str, *, can_see: CanSee | None = None) -> None:
    """Let people follow objects of `model`, when they can see them (see the module)."""
    label = _label(model)
    if can_see is None and not hasattr(apps.get_model(label)._default_manager, "visible_to"):
        raise TypeError(f"{label} has no visible_to(user); pass can_see=.")
    _FOLLOWABLE[label] = can_see


def unregister_followable(model: type[models.Model] | str) -> None:
    _FOLLOWABLE.pop(_label(model), None)


def is_followable(target: models.Model) -> bool:
    return _label(target) in _FOLLOWABLE


def can_follow(user: Any, target: models.Model) -> bool:
    """Whether `user` may follow `target`: signed in, a followable kind, and can see it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    label = _label(target)
    if label not in _FOLLOWABLE:
        return False
    can_see = _FOLLOWABLE[label]
    if can_see is not None:
        return bool(can_see(user, target))
    manager: Any = type(target)._default_manager
    return bool(manager.visible_to(user).filter(pk=target.pk).exists())


def follow_token(target: models.Model) -> str:
    """A tamper-proof name for `target`, for the follow button's form."""
    return signing.dumps([_label(target), str(target.pk)], salt=_TOKEN_SALT, compress=False)


def target_from_token(token: str) -> models.Model | None:
    """The object a follow token names, or None when it is forged, malformed or gone."""
    try:
        label, pk = signing.loads(token, salt=_TOKEN_SALT)
        model = apps.get_model(label)
        return model._default_manager.filter(pk=pk).first()  # type: ignore[no-any-return]
    except (signing.BadSignature, ValueError, TypeError, LookupError, ValidationError):
        return None


def followers_of(target: models.Model) -> models.QuerySet[Any]:
    """Active accounts following `target`.

    Whoever notifies them decides what each may see: follow() checked visibility when they
    followed, but an object can become private later.
    """
    return get_user_model().objects.filter(
        is_active=True,
        follows__target_type=ContentType.objects.get_for_model(target),
        follows__target_id=str(target.pk),
    )


def is_following(user: Any, target: models.Model) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Follow.objects.visible_to(user).of(target).exists()
