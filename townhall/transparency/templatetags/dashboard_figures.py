"""How the dashboard writes its figures: hours with one decimal, percentages whole, and a
dash (read out as “no figure yet”) when nothing was counted."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


def _none() -> SafeString:
    return format_html(
        '<span aria-hidden="true">—</span><span class="usa-sr-only">{}</span>', _("no figure yet")
    )


@register.filter
def hours(value: Any) -> Any:
    return _none() if value is None else number_format(value, 1)


@register.filter
def percent(value: Any) -> Any:
    return _none() if value is None else f"{number_format(value, 0)}%"
