"""Web addresses from files, reply rows and editors' forms: http(s) only, everywhere."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from tests.core.services.test_reply_import import reply_line
from tests.core.services.test_reply_import import write as write_replies
from tests.desk.conftest import logged_in, make_user
from tests.factories import make_commitment, make_source
from tracker.core import format as fmt
from tracker.core.links import web_url, web_url_problem
from tracker.core.models import Commitment, EntryShape, Source, TrackingLog, validate_web_url
from tracker.core.services.commitment_import import commitments_import_paths
from tracker.core.services.reply_import import replies_import
from tracker.core.services.roles import EDITOR

HOSTILE = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://example.org/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/a.doc",
    "//evil.example/a.doc",
    "https:\\\\evil.example",
    "https://",
    "https:///path-only",
    "http://[::1",
    "https://example.org/a b.doc",
    "https://example.org/\x00.doc",
    "/relative/a.doc",
]
GOOD = [
    "https://lci.ly.gov.tw/LyLCEW/communique1/work/111/34/LCIDC01_1113401_00006.doc",
    "http://example.org/",
    "HTTPS://EXAMPLE.ORG/a?b=c#d",
    "https://例子.測試/文件.doc",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_the_rule_refuses_every_non_web_address(url):
    assert web_url_problem(url)
    assert web_url(url) == ""
    with pytest.raises(ValidationError):
        validate_web_url(url)


@pytest.mark.parametrize("url", GOOD)
def test_the_rule_keeps_web_addresses(url):
    assert web_url_problem(url) is None
    assert web_url(url) == url
    validate_web_url(url)


def commitment_text(fixtures_dir, *, source_url=None, document_url=None):
    text = (fixtures_dir / "醫療衛生/流感疫苗採購.md").read_text(encoding="utf-8")
    data = fmt.parse(text)
    lines = fmt.render(data).split("\n")
    if source_url is not None:
        index = next(i for i, line in enumerate(lines) if line.startswith("  url: "))
        lines[index] = f"  url: {fmt._quote(source_url)}"
    if document_url is not None:
        index = next(i for i, line in enumerate(lines) if line.startswith("**來源連結**："))
        lines[index] = f"**來源連結**：{document_url}"
    return "\n".join(lines)


@pytest.mark.parametrize("url", HOSTILE)
def test_a_file_with_a_hostile_source_url_is_refused_naming_the_field(fixtures_dir, url):
    with pytest.raises(fmt.FormatError) as error:
        fmt.parse(commitment_text(fixtures_dir, source_url=url))
    assert error.value.where == "source.url"


@pytest.mark.parametrize("url", [u for u in HOSTILE if "\x00" not in u])
def test_a_file_with_a_hostile_evidence_link_is_refused_naming_the_field(fixtures_dir, url):
    with pytest.raises(fmt.FormatError) as error:
        fmt.parse(commitment_text(fixtures_dir, document_url=url))
    assert "來源連結" in error.value.where


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["source_url", "document_url"])
def test_import_commitments_stores_nothing_from_a_file_with_a_hostile_url(
    tmp_path, fixtures_dir, field
):
    path = tmp_path / "醫療衛生" / "流感疫苗採購.md"
    path.parent.mkdir()
    path.write_text(commitment_text(fixtures_dir, **{field: "javascript:alert(1)"}))

    report = commitments_import_paths(paths=[tmp_path])

    assert not report.ok
    assert "javascript:alert(1)" in report.failed[0]
    assert not Commitment.objects.exists()
    assert not Source.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE)
def test_import_replies_skips_a_row_with_a_hostile_doc_url(tmp_path, url):
    path = write_replies(tmp_path, reply_line("b-1", docUrl=url), reply_line("b-2"))

    report = replies_import(paths=[path])

    assert [line.split(": payload.")[1][:6] for line in report.errors] == ["docUrl"]
    assert list(Source.objects.values_list("document_id", flat=True)) == ["b-2"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/a.doc", "data:,x"])
def test_the_reply_form_refuses_a_hostile_address(url):
    editor = make_user("editor", EDITOR)
    source = make_source()
    change = reverse("admin:tracker_source_change", args=[source.pk])
    client = logged_in(editor)
    form = client.get(change).context["adminform"].form
    data = {bound.html_name: "" if bound.value() is None else bound.value() for bound in form}

    response = client.post(change, data | {"url": url})

    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    source.refresh_from_db()
    assert source.url != url


@pytest.mark.django_db
def test_a_timeline_entry_refuses_a_hostile_document_url():
    commitment = make_commitment()
    entry = TrackingLog(
        commitment=commitment,
        position=9,
        entry_date=dt.date(2026, 1, 1),
        kind="進度更新",
        shape=EntryShape.EVIDENCE,
        summary="摘要",
        document_url="javascript:alert(1)",
    )
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert "document_url" in error.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE)
def test_an_address_stored_before_the_rule_never_becomes_a_link(admin_client, url):
    # Rows written before validation existed (or by hand) are shown as text, not linked.
    if "\x00" in url and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL cannot store NUL")
    source = make_source(imported_from_replies=timezone.now())
    Source.objects.filter(pk=source.pk).update(url=url)
    page = admin_client.get(reverse("admin:tracker_replytoreview_suggestions", args=[source.pk]))
    assert page.status_code == 200
    assert 'href="javascript' not in page.content.decode().lower()
    for library in ("public", "tracker_admin"):
        rendered = Template(f"{{% load {library} %}}{{{{ url|web_link }}}}").render(
            Context({"url": url})
        )
        assert rendered == ""
