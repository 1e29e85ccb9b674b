"""Replies imported from open data are searchable at once."""

import json

import pytest

from tracker.core.models import Source
from tracker.core.services.reply_import import replies_import

pytestmark = pytest.mark.django_db


def test_a_new_reply_is_found_by_search(tmp_path):
    row = {
        "id": "row-1",
        "payload": {
            "term": "11",
            "sessionPeriod": "02",
            "sessionTimes": "03",
            "eyNumber": "（行政院函　中華民國114年1月2日院臺字第1140000999號）",
            "lyNumber": "台立院議字第1140000999號",
            "subject": "行政院函送委員就離岸風電所提質詢之書面答復，請查照案。",
            "content": "經濟部查復：離岸風電區塊開發第三階段將於明年完成遴選。",
            "docUrl": "https://example.org/ly/replies/114-0999.doc",
            "baseId": "9b9b9b9b-0000-4000-8000-000000000999",
            "isChunked": False,
            "chunkIndex": 0,
            "totalChunks": 1,
            "chunkText": "經濟部查復：離岸風電區塊開發第三階段將於明年完成遴選。",
        },
    }
    path = tmp_path / "replies.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    report = replies_import(paths=[path])
    assert report.created == 1
    source = Source.objects.get(document_id="9b9b9b9b-0000-4000-8000-000000000999")
    assert source.search_document.tokens
    assert "遴" in source.search_document.tokens
