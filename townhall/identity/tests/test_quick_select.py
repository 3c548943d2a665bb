"""`QuickSelect` writes the same markup as Django's `Select`, for every shape of choices."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from townhall.identity.widgets import QuickSelect

HOSTILE = '<script>alert("x")</script> & "quotes"'


def both(field: forms.Field, value: Any, attrs: dict[str, Any] | None = None) -> tuple[str, str]:
    """The field rendered by Django's Select and by QuickSelect, with the same choices."""
    django_widget = forms.Select(attrs=attrs)
    quick_widget = QuickSelect(attrs=attrs)
    django_widget.choices = quick_widget.choices = field.choices
    return (
        str(django_widget.render("pick", value)),
        str(quick_widget.render("pick", value, attrs={"id": "id_pick"})).replace(
            ' id="id_pick"', ""
        ),
    )


@pytest.mark.parametrize(
    ("choices", "value"),
    [
        ([("", "Any"), ("a", "Apple"), ("b", "Banana")], None),
        ([("", "Any"), ("a", "Apple"), ("b", "Banana")], "b"),
        ([("x", HOSTILE), (HOSTILE, "Hostile value")], HOSTILE),
        ([("Fruit", [("a", "Apple"), ("b", "Banana")]), ("Veg", [("c", "Carrot")])], "c"),
        ([(1, "One"), (2, "Two")], 2),
        ([], None),
    ],
)
def test_quick_select_writes_what_django_writes(choices: list[Any], value: Any) -> None:
    field = forms.ChoiceField(choices=choices, required=False)
    expected, quick = both(field, value)
    assert quick == expected


def test_attributes_keep_their_order_and_their_boolean_form() -> None:
    field = forms.ChoiceField(choices=[("a", "A")])
    attrs = {"class": "usa-select", "required": True, "disabled": False, "data-x": HOSTILE}
    expected, quick = both(field, "a", attrs)
    assert quick == expected
    assert 'class="usa-select" required data-x="&lt;script&gt;' in quick
    assert "disabled" not in quick


def test_a_hostile_label_is_escaped() -> None:
    html = str(QuickSelect(choices=[("x", HOSTILE)]).render("pick", "x"))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in html
    assert '<option value="x" selected>' in html


@pytest.mark.django_db
def test_a_model_choice_field_renders_the_same(django_user_model: Any) -> None:
    for number in range(3):
        django_user_model.objects.create_user(
            email=f"person{number}@example.org", password="a long enough password 123"
        )
    field = forms.ModelChoiceField(
        queryset=django_user_model.objects.order_by("email"), empty_label="Anyone"
    )
    chosen = django_user_model.objects.order_by("email")[1].pk
    expected, quick = both(field, chosen)
    assert quick == expected
    assert quick.count("<option") == 4
