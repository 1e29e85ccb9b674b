"""The public site's template helpers."""

from django import forms

from tracker.public.templatetags.public import select_options


class MenuForm(forms.Form):
    agency = forms.ChoiceField(
        required=False,
        choices=[("", "全部"), ("衛生福利部", "衛生福利部 (12)"), ("<b>", "<script>x</script>")],
    )
    year = forms.TypedChoiceField(
        required=False, coerce=int, choices=[("", "全部"), (2025, "2025"), (2026, "2026")]
    )


def test_select_options_mark_the_current_value_and_escape_every_value_and_label():
    form = MenuForm({"agency": "<b>", "year": "2026"})
    assert select_options(form["agency"]) == (
        '<option value="">全部</option>'
        '<option value="衛生福利部">衛生福利部 (12)</option>'
        '<option value="&lt;b&gt;" selected>&lt;script&gt;x&lt;/script&gt;</option>'
    )
    # A number's choice is selected by the text the request sent.
    assert select_options(form["year"]) == (
        '<option value="">全部</option><option value="2025">2025</option>'
        '<option value="2026" selected>2026</option>'
    )


def test_select_options_select_the_empty_choice_without_a_value():
    assert select_options(MenuForm()["agency"]).startswith('<option value="" selected>全部')
    assert select_options(MenuForm({})["year"]).count(" selected") == 1
