import time
from unittest import mock

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_commitment
from tracker.core.models import Correction, CorrectionStatus
from tracker.core.services.corrections import RATE_LIMIT, correction_decide, correction_submit
from tracker.public.views.corrections import form_token


@pytest.fixture
def commitment(db):
    return make_commitment(title="可更正的承諾")


def post(client, commitment, age=60, **fields):
    data = {
        "message": "目標日期應為 2025-12-31，不是 2024-12-31。",
        "evidence": "院臺字第1號",
        "contact": "reader@example.org",
        "website": "",
        "token": form_token(commitment.uid, now=time.time() - age),
    } | fields
    return client.post(reverse("public:correction_new", args=[commitment.uid]), data)


def test_a_reader_can_suggest_a_correction_that_waits_for_an_editor(client, commitment):
    page = client.get(reverse("public:correction_new", args=[commitment.uid]))
    assert page.status_code == 200
    assert 'name="website"' in page.content.decode()
    response = post(client, commitment)
    assert response.status_code == 302
    assert response["Location"] == reverse("public:correction_thanks", args=[commitment.uid])
    correction = Correction.objects.get()
    assert correction.status == CorrectionStatus.PENDING
    assert correction.contact == "reader@example.org"
    assert "127.0.0.1" not in correction.client_key
    # Nothing is published before an editor decides.
    detail = client.get(reverse("public:commitment_detail", args=[commitment.uid]))
    assert "目標日期應為" not in detail.content.decode()
    assert list(client.get(reverse("public:corrections_log")).context["page"]) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"website": "http://spam.example"}, "無法送出"),
        ({"age": 0}, "送出得太快了"),
        ({"age": 3 * 60 * 60}, "表單已開啟超過兩小時"),
        ({"token": "forged"}, "表單驗證碼無效"),
        ({"message": "  "}, "哪裡需要更正？：這個欄位是必須的。"),
    ],
)
def test_robots_and_bad_input_are_refused_with_a_message(client, commitment, fields, message):
    response = post(client, commitment, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Correction.objects.exists()


def test_a_token_for_another_commitment_is_refused(client, commitment):
    other = make_commitment()
    response = post(client, commitment, token=form_token(other.uid, now=time.time() - 60))
    assert response.status_code == 400
    assert "表單驗證碼與這筆承諾不符" in response.content.decode()


def test_a_sender_is_limited_to_a_few_corrections_an_hour(client, commitment):
    for _ in range(RATE_LIMIT):
        assert post(client, commitment).status_code == 302
    response = post(client, commitment)
    assert response.status_code == 400
    assert "一小時內最多可送出" in response.content.decode()
    assert Correction.objects.count() == RATE_LIMIT


def test_behind_the_proxy_each_reader_has_their_own_limit(client, commitment, settings):
    # As in production behind nginx (DJANGO_PROXY_COUNT=1): every request comes from the
    # proxy's address, and the client's is the last one in X-Forwarded-For.
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    client.defaults["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    for _ in range(RATE_LIMIT):
        assert post(client, commitment).status_code == 302
    assert post(client, commitment).status_code == 400
    client.defaults["HTTP_X_FORWARDED_FOR"] = "198.51.100.20"
    assert post(client, commitment).status_code == 302
    assert Correction.objects.values("client_key").distinct().count() == 2


def test_accepted_corrections_appear_dated_on_the_commitment_and_in_the_log(
    client, commitment, admin_user
):
    post(client, commitment)
    post(client, commitment, message="另一則")
    accepted, rejected = Correction.objects.order_by("pk")
    correction_decide(
        correction=accepted, status="accepted", public_note="目標日期已更正為 2025-12-31。",
        user=admin_user,
    )  # fmt: skip
    correction_decide(correction=rejected, status="rejected", public_note="", user=admin_user)
    detail = client.get(reverse("public:commitment_detail", args=[commitment.uid]))
    html = detail.content.decode()
    assert "目標日期已更正為 2025-12-31。" in html
    assert "另一則" not in html
    log = client.get(reverse("public:corrections_log"))
    assert [c.pk for c in log.context["page"]] == [accepted.pk]
    assert timezone.localdate(accepted.decided_at).isoformat() in log.content.decode()


def test_drafts_take_no_corrections(client, db):
    draft = make_commitment(is_published=False)
    assert client.get(reverse("public:correction_new", args=[draft.uid])).status_code == 404


@pytest.mark.parametrize(
    "addresses", [["203.0.113.7"] * 5, [f"198.51.100.{n}" for n in range(5)]], ids=["one", "many"]
)
def test_a_form_is_accepted_once_however_often_it_is_replayed(
    client, commitment, settings, addresses
):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    token = form_token(commitment.uid, now=time.time() - 60)
    statuses = []
    for address in addresses:
        client.defaults["HTTP_X_FORWARDED_FOR"] = address
        response = post(client, commitment, token=token, message=f"來自 {address} 的更正")
        statuses.append(response.status_code)
    assert statuses == [302] + [400] * (len(addresses) - 1)
    assert "這份表單已經送出過了" in response.content.decode()
    assert Correction.objects.count() == 1


def test_the_same_form_sent_twice_at_once_is_kept_once(commitment):
    form_nonce = "n" * 22
    values = {"commitment": commitment, "message": "更正", "evidence": "", "contact": ""}
    correction_submit(**values, client_key="a", form_nonce=form_nonce)
    real_filter = Correction.objects.filter

    def filter_missing_the_first(*args, **kwargs):
        if "form_nonce" in kwargs:
            return Correction.objects.none()
        return real_filter(*args, **kwargs)

    # The second request passed the existence check before the first one committed.
    with (
        mock.patch.object(Correction.objects, "filter", filter_missing_the_first),
        pytest.raises(ValidationError, match="已經送出過了"),
    ):
        correction_submit(**values, client_key="b", form_nonce=form_nonce)
    assert Correction.objects.count() == 1


def test_a_token_without_a_nonce_is_refused(client, commitment):
    old_style = signing.dumps(
        {"c": commitment.uid, "t": int(time.time() - 60)}, salt="tracker.correction-form"
    )
    response = post(client, commitment, token=old_style)
    assert response.status_code == 400
    assert "表單驗證碼無效" in response.content.decode()
    assert not Correction.objects.exists()
