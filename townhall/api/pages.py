"""The account page where people create and revoke their API tokens (/account/tokens/)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from townhall.identity.actions import issue_api_token, revoke_api_token
from townhall.identity.models import ApiToken, User

from .forms import TokenForm
from .second_factor import may_create_token_in_session


def _render_list(
    request: HttpRequest, form: TokenForm, *, may_create: bool, status: int = 200
) -> HttpResponse:
    tokens = ApiToken.objects.visible_to(request.user)
    context = {"tokens": tokens, "form": form, "may_create": may_create}
    return render(request, "api/token_list.html", context, status=status)


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, TokenForm(), may_create=may_create_token_in_session(request))


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    if not may_create_token_in_session(request):
        return _render_list(request, TokenForm(), may_create=False, status=403)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form, may_create=True)
    user = cast(User, request.user)  # login_required
    token, key = issue_api_token(
        by=user, user=user, name=form.cleaned_data["name"], via="account page"
    )
    # Shown in this response only: the key is not stored anywhere, so there is no redirect.
    return render(request, "api/token_created.html", {"token": token, "key": key})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    revoke_api_token(by=request.user, token=token)
    messages.success(
        request,
        _("The token “%(name)s” is revoked. Programs using it can no longer connect.")
        % {"name": token.name},
    )
    return redirect("tokens:token-list")
