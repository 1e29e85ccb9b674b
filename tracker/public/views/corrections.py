"""Readers suggest corrections; the ones editors accept are listed publicly with their date."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from tracker.core.models import Commitment, Correction
from tracker.core.services.corrections import correction_submit

TOKEN_SALT = "tracker.correction-form"  # noqa: S105 - a namespace, not a secret
# A person reads the form before sending it; a script posts at once or replays old tokens.
MIN_SECONDS = 3
MAX_SECONDS = 2 * 60 * 60
NONCE_BYTES = 16  # 22 characters: fits Correction.form_nonce
PAGE_SIZE = 50


def form_token(uid: str, now: float | None = None) -> str:
    """Return a signed token for one correction form: the commitment, the time, a nonce."""
    return signing.dumps(
        {
            "c": uid,
            "t": int(now if now is not None else time.time()),
            "n": secrets.token_urlsafe(NONCE_BYTES),
        },
        salt=TOKEN_SALT,
    )


def client_key(request) -> str:
    """Return a keyed hash of the sender's address (kept for the rate limit, not the address).

    The address is the client's as the login lockout sees it: behind the reverse proxy
    (DJANGO_PROXY_COUNT) it comes from X-Forwarded-For, not the proxy's own REMOTE_ADDR.
    """
    # ipware gives None for a chain it does not trust: count those by the connecting address.
    address = get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "")
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


class CorrectionForm(forms.Form):
    message = forms.CharField(
        label=_("哪裡需要更正？"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=2000,
        help_text=_("請具體說明：哪一段內容有誤、正確的內容是什麼。"),
    )
    evidence = forms.CharField(
        label=_("佐證資料（選填）"),
        max_length=500,
        required=False,
        help_text=_("文件名稱、函號或網址，方便編輯查證。"),
    )
    contact = forms.CharField(
        label=_("聯絡方式（選填，不公開）"),
        max_length=200,
        required=False,
        help_text=_("若編輯需要進一步確認，會用這個方式聯絡您。"),
    )
    # The honeypot: hidden from people by the stylesheet, filled in by form-filling robots.
    website = forms.CharField(label=_("請勿填寫此欄"), required=False)
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, uid: str, now: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.uid = uid
        self.now = now if now is not None else time.time()
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("無法送出：請重新整理頁面後再試一次。"), code="honeypot")
        return ""

    def clean_token(self):
        try:
            payload = signing.loads(self.cleaned_data["token"], salt=TOKEN_SALT)
        except signing.BadSignature:
            raise ValidationError(
                _("表單驗證碼無效，請重新整理頁面後再試一次。"), code="bad_token"
            ) from None
        if not isinstance(payload, dict) or payload.get("c") != self.uid:
            raise ValidationError(_("表單驗證碼與這筆承諾不符。"), code="bad_token")
        nonce = payload.get("n")
        if not isinstance(nonce, str) or not 16 <= len(nonce) <= 32:
            raise ValidationError(_("表單驗證碼無效，請重新整理頁面後再試一次。"), code="bad_token")
        age = self.now - payload.get("t", 0)
        if age > MAX_SECONDS:
            raise ValidationError(
                _("表單已開啟超過兩小時，請確認內容後再送出一次。"), code="expired"
            )
        if age < MIN_SECONDS:
            raise ValidationError(_("送出得太快了，請確認內容後再送出一次。"), code="too_fast")
        self.nonce = nonce
        return self.cleaned_data["token"]


@never_cache
def correction_new(request, uid: str):
    commitment = get_object_or_404(Commitment.objects.published(), uid=uid)
    status = 200
    if request.method == "POST":
        form = CorrectionForm(request.POST, uid=uid)
        if form.is_valid():
            try:
                correction_submit(
                    commitment=commitment,
                    message=form.cleaned_data["message"],
                    evidence=form.cleaned_data["evidence"],
                    contact=form.cleaned_data["contact"],
                    client_key=client_key(request),
                    form_nonce=form.nonce,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, messages in error.message_dict.items():
                        for message in messages:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    for message in error.messages:
                        form.add_error(None, message)
            else:
                return redirect("public:correction_thanks", uid=uid)
        status = 400
        # A fresh token, so that a person fixing their input is not refused as a replay.
        data = request.POST.copy()
        data["token"] = form_token(uid)
        form.data = data
    else:
        form = CorrectionForm(uid=uid, initial={"token": form_token(uid)})
    return render(
        request,
        "tracker/correction_form.html",
        {"commitment": commitment, "form": form},
        status=status,
    )


def correction_thanks(request, uid: str):
    commitment = get_object_or_404(Commitment.objects.published().only("uid", "title"), uid=uid)
    return render(request, "tracker/correction_thanks.html", {"commitment": commitment})


def corrections_log(request):
    page = Paginator(Correction.objects.public(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tracker/corrections_log.html", {"page": page})
