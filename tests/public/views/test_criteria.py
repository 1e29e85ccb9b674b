"""The detail page's checklist of what "done" means, and its target date's slips."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_commitment
from tracker.core.models import Commitment
from tracker.core.services.criteria import criterion_add

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_checklist_shows_progress_and_evidence(client):
    commitment = make_commitment()
    criterion_add(
        commitment=commitment,
        milestone="budget",
        state="met",
        settled_on=TODAY,
        evidence="<i>115年度總預算</i>",
        evidence_url="https://example.org/budget",
    )
    criterion_add(commitment=commitment, milestone="completed")
    html = client.get(reverse("public:commitment_detail", args=[commitment.uid])).content.decode()
    assert '<progress max="2" value="1">50%</progress>' in html
    assert "1 / 2 項標準已達成" in html
    assert (
        '<a href="https://example.org/budget" rel="nofollow noopener">&lt;i&gt;115年度總預算'
        in html
    )
    assert "來源：編輯部。完成標準" in html


def test_a_slipped_target_date_says_how_often_and_by_how_much(client):
    commitment = make_commitment(target_date_text="2025-12-31")
    stored = Commitment.objects.get(pk=commitment.pk)
    stored.target_date_text = "2026-06-30"
    stored.save()
    html = client.get(reverse("public:commitment_detail", args=[commitment.uid])).content.decode()
    assert "目標日期延後過 1 次，共 181 天" in html
    assert "2025-12-31 → 2026-06-30" in html


def test_a_page_without_criteria_or_slips_shows_no_section(client):
    commitment = make_commitment()
    html = client.get(reverse("public:commitment_detail", args=[commitment.uid])).content.decode()
    assert 'id="criteria"' not in html
