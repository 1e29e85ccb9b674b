"""The desk's pages carry no inline style, which the CSP (style-src 'self') would block."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from tests.factories import make_question
from tracker.core.models import DuplicateCopy
from tracker.core.services.criteria import criterion_add

pytestmark = pytest.mark.django_db

INLINE_STYLE = re.compile(r"<style|\sstyle\s*=", re.IGNORECASE)


def history_admins():
    return [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, SimpleHistoryAdmin)
    ]


def an_object(model, commitment):
    if model is DuplicateCopy:
        return DuplicateCopy.objects.create(
            commitment=commitment,
            file_path="其他/copy.md",
            reason="test",
            last_updated=dt.date(2026, 1, 1),
            log_count=1,
            file_text="---\n",
        )
    if model._meta.model_name == "agencyquestion":
        return make_question(commitment)
    if model._meta.model_name == "completioncriterion":
        return criterion_add(commitment=commitment, milestone="budget")
    return {
        "commitment": commitment,
        "source": commitment.source,
        "trackinglog": commitment.log_entries.first(),
    }[model._meta.model_name]


def test_every_history_page_has_no_inline_style_and_loads_the_desk_css(chief_client, commitment):
    assert len(history_admins()) >= 4
    for model_admin in history_admins():
        model = model_admin.model
        obj = an_object(model, commitment)
        # Two history records, so the list and its paginator are shown.
        obj.save()
        url = reverse(f"admin:tracker_{model._meta.model_name}_history", args=[obj.pk])

        html = chief_client.get(url).content.decode()

        assert 'class="paginator tracker-history-paginator"' in html, url
        assert not INLINE_STYLE.search(html), (url, INLINE_STYLE.search(html))
        assert html.count("tracker_admin/admin.css") == 1, url
