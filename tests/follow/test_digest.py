"""The digest run: what changed since each address's last digest, mailed over real SMTP."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_commitment, make_log
from tests.follow.conftest import text_of
from tracker.core.models import Correction, CorrectionStatus, EntryKind, EntryShape, Status
from tracker.core.services.search_index import search_index_rebuild
from tracker.follow.digest import digests_send
from tracker.follow.models import ConfirmationRequest, Subscriber, Subscription
from tracker.follow.services import follow_expire

pytestmark = pytest.mark.django_db


def _subscriber(
    email="reader@example.org", language="zh-hant", frequency="daily", since=None, **target
):
    subscriber = Subscriber.objects.create(
        email=email,
        language=language,
        frequency=frequency,
        covered_until=since or timezone.now() - dt.timedelta(days=1, minutes=1),
    )
    Subscription.objects.create(subscriber=subscriber, confirmed_at=timezone.now(), **target)
    return subscriber


def _status_change(commitment):
    return make_log(
        commitment,
        position=commitment.log_entries.count(),
        entry_date=dt.date(2026, 1, 31),
        kind=EntryKind.STATUS_CHANGE,
        shape=EntryShape.STATUS_RULE,
        from_status=Status.TRACKING,
        to_status=Status.DELAYED,
        reason="目標日期已過",
        text="",
    )


def test_a_digest_tells_new_entries_status_changes_and_corrections(smtp):
    commitment = make_commitment(title="擴充疫苗採購", responsible_agency="衛福部")
    subscriber = _subscriber(kind="commitment", commitment=commitment)
    make_log(
        commitment,
        position=1,
        entry_date=dt.date(2026, 1, 30),
        kind=EntryKind.PROGRESS,
        text="採購合約已簽訂。",
    )
    _status_change(commitment)
    Correction.objects.create(
        commitment=commitment,
        message="x",
        client_key="k",
        form_nonce="n" * 22,
        status=CorrectionStatus.ACCEPTED,
        public_note="目標值更正為 500 萬劑。",
        decided_at=timezone.now(),
    )
    summary = digests_send()
    assert (summary.due, summary.sent, summary.failed) == (1, 1, 0)
    [message] = smtp.messages
    assert message["To"] == "reader@example.org"
    assert message["From"] == "digest@tracker.example.org"
    assert "1 項承諾有更新" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith("<https://tracker.example.org/follow/unsubscribe/")
    )
    body = text_of(message)
    assert "擴充疫苗採購" in body
    assert "狀態變更" in body and "追蹤中 → 已延宕" in body
    assert "採購合約已簽訂。" in body
    assert "目標值更正為 500 萬劑。" in body
    # Where each value came from.
    assert "來源：編輯部（已採納的讀者更正）" in body
    assert "來源：編輯部" in body
    links = re.findall(r"(?:https?:)?//\S+|href=\"[^\"]+\"", body + text_of(message, "html"))
    assert links
    assert all(
        link.startswith("https://tracker.example.org/")
        or link.startswith('href="https://tracker.example.org/')
        for link in links
    ), links
    assert f"https://tracker.example.org/commitments/{commitment.uid}/#entry-" in body
    assert "<img" not in text_of(message, "html")
    subscriber.refresh_from_db()
    assert subscriber.covered_until > timezone.now() - dt.timedelta(minutes=1)

    # The next run has nothing new and sends nothing.
    smtp.clear()
    summary = digests_send(now=timezone.now() + dt.timedelta(days=1))
    assert (summary.due, summary.sent, summary.empty) == (1, 0, 1)
    assert not smtp.messages


def test_english_digest(smtp):
    commitment = make_commitment(title="Vaccines")
    _subscriber(language="en", kind="commitment", commitment=commitment)
    _status_change(commitment)
    digests_send()
    [message] = smtp.messages
    assert "1 commitment you follow has changed" in message["Subject"]
    body = text_of(message)
    assert "[Status change]" in body
    assert f"https://tracker.example.org/en/commitments/{commitment.uid}/" in body
    assert "https://tracker.example.org/en/follow/manage/" in body
    assert "https://tracker.example.org/en/methodology/#privacy" in body
    # English punctuation around the data (the data itself stays as written).
    assert "；" not in body.replace("目標日期已過", "")


def test_untrusted_text_is_escaped_in_html_and_kept_out_of_headers(smtp):
    commitment = make_commitment(title="<script>alert(1)</script>\r\nBcc: evil@example.org")
    _subscriber(kind="commitment", commitment=commitment)
    make_log(commitment, position=1, kind=EntryKind.PROGRESS, text="<img src=x onerror=alert(1)>")
    digests_send()
    [message] = smtp.messages
    html = text_of(message, "html")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert message["Bcc"] is None
    assert [envelope.rcpt_tos for envelope in smtp.envelopes] == [["reader@example.org"]]


def test_agency_category_and_search_subscriptions_cover_their_commitments(smtp):
    health = make_commitment(
        title="長照十年", responsible_agency="衛福部、教育部", category="社會福利"
    )
    other = make_commitment(title="電網強化", responsible_agency="經濟部", category="能源")
    _subscriber("a@example.org", kind="agency", value="衛生福利部")
    _subscriber("c@example.org", kind="category", value="能源")
    _subscriber("s@example.org", kind="search", value="長照")
    for commitment in (health, other):
        make_log(commitment, position=1, kind=EntryKind.PROGRESS, text="進度")
    search_index_rebuild()
    digests_send()
    bodies = {message["To"]: text_of(message) for message in smtp.messages}
    assert "長照十年" in bodies["a@example.org"] and "電網強化" not in bodies["a@example.org"]
    assert "電網強化" in bodies["c@example.org"] and "長照十年" not in bodies["c@example.org"]
    assert "長照十年" in bodies["s@example.org"] and "電網強化" not in bodies["s@example.org"]


def test_a_category_subscription_covers_every_name_of_its_group(smtp):
    filed_other_way = make_commitment(title="長照十年", category="健康衛生")
    filed_canonical = make_commitment(title="疫苗採購", category="醫療衛生")
    unrelated = make_commitment(title="電網強化", category="能源")
    _subscriber("new@example.org", kind="category", value="醫療衛生")
    _subscriber("old@example.org", kind="category", value="健康衛生")  # stored before grouping
    for commitment in (filed_other_way, filed_canonical, unrelated):
        make_log(commitment, position=1, kind=EntryKind.PROGRESS, text="進度")
    digests_send()
    bodies = {message["To"]: text_of(message) for message in smtp.messages}
    for address in ("new@example.org", "old@example.org"):
        assert "長照十年" in bodies[address] and "疫苗採購" in bodies[address]
        assert "電網強化" not in bodies[address]


def test_five_followed_commitments_arrive_in_one_message(smtp):
    commitments = [make_commitment(title=f"承諾{n}") for n in range(5)]
    subscriber = _subscriber(kind="commitment", commitment=commitments[0])
    for commitment in commitments[1:]:
        Subscription.objects.create(
            subscriber=subscriber,
            kind="commitment",
            commitment=commitment,
            confirmed_at=timezone.now(),
        )
    for commitment in commitments:
        make_log(commitment, position=1, kind=EntryKind.PROGRESS, text="進度")
    digests_send()
    [message] = smtp.messages
    assert "5 項承諾有更新" in message["Subject"]


def test_unconfirmed_and_not_yet_due_addresses_get_nothing(smtp):
    commitment = make_commitment()
    pending = Subscriber.objects.create(
        email="p@example.org",
        language="zh-hant",
        covered_until=timezone.now() - dt.timedelta(days=2),
    )
    Subscription.objects.create(subscriber=pending, kind="commitment", commitment=commitment)
    _subscriber(
        "w@example.org",
        frequency="weekly",
        since=timezone.now() - dt.timedelta(days=3),
        kind="commitment",
        commitment=commitment,
    )
    _subscriber(
        "d@example.org",
        frequency="daily",
        since=timezone.now() - dt.timedelta(hours=3),
        kind="commitment",
        commitment=commitment,
    )
    make_log(commitment, position=1, kind=EntryKind.PROGRESS, text="進度")
    summary = digests_send()
    assert summary.due == 0
    assert not smtp.messages


def test_weekly_addresses_get_a_week(smtp):
    commitment = make_commitment()
    _subscriber(
        frequency="weekly",
        since=timezone.now() - dt.timedelta(days=7),
        kind="commitment",
        commitment=commitment,
    )
    make_log(commitment, position=1, kind=EntryKind.PROGRESS, text="進度")
    assert digests_send().sent == 1


def test_queries_do_not_grow_with_subscribers(smtp):
    def run(count):
        Subscriber.objects.all().delete()
        commitment = make_commitment()
        for number in range(count):
            _subscriber(f"r{number}@example.org", kind="commitment", commitment=commitment)
        make_log(commitment, position=1, kind=EntryKind.PROGRESS, text="進度")
        with CaptureQueriesContext(connection) as queries:
            digests_send()
        # One UPDATE per address moves its window on; the rest is read once per run.
        return len(queries) - count

    assert run(2) == run(6)
    assert run(2) <= 30


def test_expiry_deletes_unconfirmed_and_keeps_confirmed(smtp, settings):
    settings.FOLLOW_UNCONFIRMED_DAYS = 7
    commitment = make_commitment()
    old = Subscriber.objects.create(email="old@example.org", language="zh-hant")
    Subscription.objects.create(subscriber=old, kind="commitment", commitment=commitment)
    kept = _subscriber("kept@example.org", kind="commitment", commitment=commitment)
    ConfirmationRequest.objects.create(address_key="a", client_key="c")
    later = timezone.now() + dt.timedelta(days=8)
    counts = follow_expire(now=later)
    assert counts == {"subscriptions": 1, "addresses": 1, "confirmation_requests": 1}
    assert list(Subscriber.objects.all()) == [kept]


def test_command_prints_a_summary(smtp, capsys):
    commitment = make_commitment()
    _subscriber(kind="commitment", commitment=commitment)
    make_log(commitment, position=1, kind=EntryKind.PROGRESS, text="進度")
    call_command("send_digests")
    out = capsys.readouterr().out
    assert "1 addresses due: 1 digests sent" in out
    assert len(smtp.messages) == 1


def test_command_refuses_to_run_without_a_site_url(smtp, settings):
    settings.TRACKER_SITE_URL = ""
    with pytest.raises(CommandError, match="TRACKER_SITE_URL must be set"):
        call_command("send_digests")


def test_another_kind_of_change_is_one_registered_section(smtp, monkeypatch):
    from tracker.follow import digest

    monkeypatch.setattr(digest, "SECTIONS", list(digest.SECTIONS))
    commitment = make_commitment(title="擴充疫苗採購")
    _subscriber(kind="commitment", commitment=commitment)

    def answers(commitments, since, until):
        return [
            digest.DigestItem(
                commitment_id=commitment.pk,
                appeared_at=until,
                date=dt.date(2026, 1, 31),
                text="衛福部回覆：採購已完成。",
                origin="來源：編輯部",
            )
        ]

    digest.register_section("answers", "機關回覆", answers)
    digests_send()
    [message] = smtp.messages
    assert "[機關回覆]" in text_of(message)
    assert "衛福部回覆：採購已完成。" in text_of(message)
