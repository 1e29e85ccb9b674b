"""Every main page is valid HTML by the Nu Html Checker (vnu.jar, run once for all pages)."""

import datetime as dt

from django.urls import reverse

from tests.factories import make_question
from tests.helpers import html_problems, needs_vnu
from tracker.core.models import Commitment
from tracker.core.services.timeline import commitment_change_status


@needs_vnu
def test_main_pages_are_valid_html(client, sample, tmp_path):
    commitment = Commitment.objects.get(uid="7e3f6a10-0b1c-4d2e-8f90-a1b2c3d4e503")
    commitment_change_status(commitment=commitment, to_status="追蹤中", reason="<重新檢視>")
    make_question(commitment, answered_on=dt.date.today())
    make_question(commitment, sent_on=dt.date.today() - dt.timedelta(days=40))
    pages = {
        "overview": reverse("public:overview"),
        "list": reverse("public:commitment_list"),
        "search": reverse("public:commitment_list") + "?q=疫苗&status=已達成&overdue=on",
        "bad-filter": reverse("public:commitment_list") + "?status=nope",
        "detail": reverse("public:commitment_detail", args=[commitment.uid]),
        "source": reverse("public:source_detail", args=[commitment.source.document_id]),
        "recent": reverse("public:recent"),
        "methodology": reverse("public:methodology"),
        "downloads": reverse("public:downloads"),
        "corrections": reverse("public:corrections_log"),
        "correction-form": reverse("public:correction_new", args=[commitment.uid]),
        "english": "/en" + reverse("public:commitment_detail", args=[commitment.uid]),
        "agencies": reverse("public:agency_list"),
        "agency": reverse("public:agency_detail", args=["衛生福利部"]),
        "questions": reverse("public:questions"),
        "legislators": reverse("public:legislator_list"),
        "legislator": reverse("public:legislator_detail", args=["羅致政"]),
        "not-found": "/commitments/" + "0" * 36 + "/",
    }
    files = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 400, 404), (name, response.status_code)
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    assert html_problems(files) == []
