"""Render Django form widgets with US Web Design System classes.

`{{ field|uswds_widget }}` renders a bound field's widget with the USWDS class for its
kind (usa-input, usa-select, usa-textarea, usa-checkbox__input...) and the error variant
when the field has errors. Django itself adds `aria-invalid` and `aria-describedby`
(pointing at `<id>_helptext` and `<id>_error`), so the partials use those ids.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

_CLASSES = {
    "select": "usa-select",
    "quickselect": "usa-select",  # townhall.identity.widgets.QuickSelect
    "selectmultiple": "usa-select",
    "nullbooleanselect": "usa-select",
    "textarea": "usa-textarea",
    "checkbox": "usa-checkbox__input",
    "clearablefile": "usa-file-input",
    "file": "usa-file-input",
}
_ERROR_CLASSES = {
    "usa-input": "usa-input--error",
    "usa-select": "usa-input--error",
    "usa-textarea": "usa-input--error",
}


@register.filter
def uswds_widget(field: BoundField) -> SafeString:
    css = _CLASSES.get(field.widget_type, "usa-input")
    classes = [field.field.widget.attrs.get("class", ""), css]
    if field.errors and css in _ERROR_CLASSES:
        classes.append(_ERROR_CLASSES[css])
    # USWDS asks for a visible label and hint instead of placeholder text.
    attrs: dict[str, str | bool] = {
        "class": " ".join(c for c in classes if c),
        "placeholder": False,
    }
    return field.as_widget(attrs=attrs)


@register.filter
def uswds_choice_class(field: BoundField) -> str:
    """`usa-radio` or `usa-checkbox` for the options of a multiple-choice field."""
    return "usa-checkbox" if field.widget_type == "checkboxselectmultiple" else "usa-radio"


@register.filter
def visible_field_errors(form: Any) -> list[tuple[BoundField, str]]:
    """Each error of a visible field as (field, message), in the form's field order."""
    return [(field, error) for field in form.visible_fields() for error in field.errors]
