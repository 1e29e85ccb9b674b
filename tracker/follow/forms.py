from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tracker.follow.models import Frequency


class FollowForm(forms.Form):
    email = forms.EmailField(
        label=_("電子郵件地址"),
        max_length=254,
        help_text=_("我們會先寄一封確認信；確認後才會寄送更新摘要。"),
        error_messages={
            "invalid": _("請輸入有效的電子郵件地址。"),
            "required": _("請輸入電子郵件地址。"),
        },
    )
    frequency = forms.ChoiceField(
        label=_("寄送頻率"),
        choices=Frequency.choices,
        initial=Frequency.DAILY,
        widget=forms.RadioSelect,
    )


class SettingsForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("寄送頻率"), choices=Frequency.choices, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(
        label=_("語言"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )
