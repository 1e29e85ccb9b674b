"""The public site's template helpers."""

import datetime as dt
import re
from urllib.parse import unquote_plus

from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe

from tracker.public.charts import stacked_bars
from tracker.public.templatetags.public import (
    chart_svg,
    chart_table,
    entry_body,
    entry_dates,
    judgement_label,
    recited,
    select_options,
    status_badge,
)


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


def _chart():
    rows = [
        ('<b>"衛福部"</b> & co', {"已延宕": 2, "已達成": 1234}, {"agency": '<b>"衛福部"</b> & co'}),
        ("文化", {"追蹤中": 1}, {"category": "文化"}),
    ]
    return stacked_bars("各機關", rows, "/commitments/")


def test_chart_svg_escapes_every_text_and_address_and_writes_plain_coordinates():
    from xml.etree import ElementTree

    svg = str(chart_svg(_chart(), 'chart-"x"'))
    assert "<b>" not in svg and "&lt;b&gt;&quot;衛福部&quot;&lt;/b&gt; &amp; co" in svg
    # Parses as XML: nothing a label holds can open an element or end an attribute.
    root = ElementTree.fromstring(svg.strip())  # noqa: S314 - our own markup
    assert root.get("aria-labelledby") == 'chart-"x"'
    links = root.findall("a")
    assert [link.get("aria-label") for link in links] == [
        '<b>"衛福部"</b> & co：已延宕 2',
        '<b>"衛福部"</b> & co：已達成 1234',
        "文化：追蹤中 1",
    ]
    # Every segment's address is the list filtered by the bar's value and the status.
    assert [unquote_plus(link.get("href")) for link in links] == [
        '/commitments/?agency=<b>"衛福部"</b> & co&status=已延宕',
        '/commitments/?agency=<b>"衛福部"</b> & co&status=已達成',
        "/commitments/?category=文化&status=追蹤中",
    ]
    # Coordinates are never localised (no thousands separator, a dot for decimals).
    for rect in root.iter("rect"):
        assert all(re.fullmatch(r"\d+(\.\d+)?", rect.get(name)) for name in ("x", "y", "width"))


def test_chart_table_links_each_nonzero_count_and_escapes_the_labels():
    table = str(chart_table(_chart(), "<caption>", mark_safe("<em>機關</em>")))
    assert "<caption>&lt;caption&gt;</caption>" in table
    assert '<th scope="col"><em>機關</em></th>' in table  # already safe: kept as is
    assert "&lt;b&gt;&quot;衛福部&quot;&lt;/b&gt; &amp; co</a></th>" in table
    # Four statuses and the total per row; a zero is plain text, a count links into the list.
    assert table.count('<td class="number">') == 2 * 5
    assert table.count('<td class="number">0</td>') == 2 + 3
    assert re.search(
        r'<td class="number"><a href="/commitments/\?category=[^"]+&amp;status=', table
    )


def test_status_badge_names_the_status_by_its_class_and_escapes_the_label():
    assert status_badge("已延宕", "<b>已延宕</b>") == (
        '<span class="badge badge-delayed">&lt;b&gt;已延宕&lt;/b&gt;</span>\n'
    )
    assert status_badge("不明的狀態", "x").startswith('<span class="badge badge-other">')


def test_entry_dates_show_the_document_date_only_when_known():
    both = entry_dates(dt.date(2026, 1, 5), dt.datetime(2026, 1, 27, 9, 30))
    assert both == (
        '<p class="entry-dates"><span class="document-date">文件日期 '
        '<time datetime="2026-01-05">2026-01-05</time></span> <span class="logged-date">記錄於 '
        '<time datetime="2026-01-27">2026-01-27</time></span></p>\n'
    )
    assert "document-date" not in entry_dates(None, dt.date(2026, 1, 27))


def test_judgement_label_says_who_judged_and_escapes_upstream_s_words():
    from tracker.core.models import TrackingLog

    automated = TrackingLog(judgement="<script>達成</script>", created_by_id=None)
    label = judgement_label(automated)
    assert label == (
        '<span class="judgement judgement-automated_unreviewed">自動判斷，未經編輯審核：'
        "&lt;script&gt;達成&lt;/script&gt;</span>\n"
    )
    assert judgement_label(TrackingLog(judgement="")) == "\n"
    with translation.override("en"):
        assert "Automated judgement, not reviewed by an editor" in judgement_label(automated)


def test_entry_body_says_each_shape_of_entry_escaped_and_links_only_web_addresses():
    from tracker.core.models import TrackingLog

    rule = TrackingLog(shape="status_rule", reason="<b>過了目標日期</b>")
    assert entry_body(rule) == (
        "\n  <p><strong>原因：</strong>&lt;b&gt;過了目標日期&lt;/b&gt;</p>\n  \n"
    )
    text = TrackingLog(shape="text", text="第一行 <i>\n第二行")
    assert entry_body(text) == ('\n  <p class="entry-text">第一行 &lt;i&gt;<br>第二行</p>\n  \n')
    cited = TrackingLog(
        shape="evidence",
        summary="<script>摘要</script>",
        document_number="院臺<1>號",
        document_url="https://example.org/a?b=1&c=2",
        source_type="立法院公報",
        judgement="達成證據",
    )
    assert entry_body(cited) == (
        '\n  <p class="summary">&lt;script&gt;摘要&lt;/script&gt;</p>\n  <dl class="evidence">\n'
        '    <dt>引用文件</dt><dd><a href="https://example.org/a?b=1&amp;c=2" '
        'rel="nofollow noopener">院臺&lt;1&gt;號</a> <span class="muted">立法院公報</span></dd>\n'
        "    <dt>AI 判斷</dt><dd>" + judgement_label(cited) + "</dd>\n  </dl>\n  \n"
    )
    # No number: the address is the link's text; not a web address: shown, never linked.
    bare = TrackingLog(shape="evidence", document_url="https://example.org/x")
    assert '<a href="https://example.org/x" rel="nofollow noopener">https://example.org/x</a>' in (
        entry_body(bare)
    )
    unsafe = TrackingLog(shape="evidence", document_number="號", document_url="javascript:alert(1)")
    assert "<dd>號 (javascript:alert(1))</dd>" in entry_body(unsafe)
    assert "href" not in entry_body(unsafe)
    neither = TrackingLog(shape="evidence", summary="摘要")
    assert entry_body(neither) == (
        '\n  <p class="summary">摘要</p>\n  <dl class="evidence">\n    \n    \n  </dl>\n  \n'
    )


def test_recited_folds_the_later_citations_with_their_dates_or_says_nothing():
    from types import SimpleNamespace

    from tracker.core.models import EntryKind, TrackingLog

    later = []
    for day, anchor in ((3, "e-<3>"), (9, "e-9")):
        entry = TrackingLog(
            shape="text", kind=EntryKind.PROGRESS, entry_date=dt.date(2026, 2, day), text="又<一>次"
        )
        entry.anchor = anchor
        later.append(entry)
    html = recited(SimpleNamespace(repeats=later))
    assert html.startswith(
        '<details class="recited">\n  <summary>再次引用 2 次：'
        '<time datetime="2026-02-03">2026-02-03</time>、'
        '<time datetime="2026-02-09">2026-02-09</time>'
        '</summary>\n  <ol class="recited-list"><li id="e-&lt;3&gt;"><p class="entry-dates">'
        '<span class="logged-date">記錄於 <time datetime="2026-02-03">2026-02-03</time></span> '
        '<span class="kind">進度更新</span></p>\n    ' + entry_body(later[0]) + "</li>"
    )
    assert html.endswith("</li></ol>\n</details>\n") and html.count("<li ") == 2
    assert "又&lt;一&gt;次" in html
    with translation.override("en"):
        assert "<summary>Cited again 1 time: <time" in recited(SimpleNamespace(repeats=later[:1]))
        assert "<summary>Cited again 2 times: <time" in recited(SimpleNamespace(repeats=later))
    assert recited(SimpleNamespace(repeats=[])) == ""
