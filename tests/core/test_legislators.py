"""Who asked: the legislators named in a reply's subject line."""

import json

import pytest

from tests.conftest import CORPUS
from tracker.core.legislators import by_legislator, legislators_in_subject


@pytest.mark.parametrize(
    ("subject", "names"),
    [
        (
            "（三）行政院函送張委員育美就加速提升2歲教保服務供應量問題所提質詢之書面答復，請查照案。",
            ["張育美"],
        ),
        (
            "（十四）行政院函送張廖委員萬堅就第10屆第5會期施政質詢之書面答復，請查照案。",
            ["張廖萬堅"],
        ),
        ("（十三）行政院函送楊委員曜就第10屆第4會期施政質詢之書面答復，請查照案。", ["楊曜"]),
        ("行政院函送楊委員瓊瓔就針對農地工廠業者僱用移工問題所提質詢之書面答復", ["楊瓊瓔"]),
        (
            "（六）行政院函送林委員思銘對「日本福島食品輸入管制措施專案報告」所提質詢之書面答復",
            ["林思銘"],
        ),
        (
            "（八）行政院函送伍麗華Saidhai Tahovecahe委員就第10屆第4會期施政質詢之書面答復",
            ["伍麗華Saidhai Tahovecahe"],
        ),
        (
            "（十五）行政院函送廖國棟Sufin．Siluko委員就第10屆第5會期施政質詢之書面答復",
            ["廖國棟Sufin．Siluko"],
        ),
        (
            "（四十四）行政院函送委員王婉諭、賴瑞隆、陳椒華、馬文君、邱志偉、湯蕙禎、林德福等7人"
            "對「中央政府海空戰力提升計畫採購特別預算案」所提質詢之書面答復，請查照案。",
            ["王婉諭", "賴瑞隆", "陳椒華", "馬文君", "邱志偉", "湯蕙禎", "林德福"],
        ),
        ("行政院函送委員范雲、范雲等二人就勞動問題所提質詢之書面答復", ["范雲"]),
        (
            "行政院函送台灣民眾黨黨團就能源政策問題所提質詢之書面答復，請查照案。",
            ["台灣民眾黨黨團"],
        ),
        ("行政院函送中國國民黨立法院黨團對總預算案所提質詢之書面答復", ["中國國民黨立法院黨團"]),
        ("行政院函送張委員\n育美就 長照問題所提質詢之書面答復", ["張育美"]),
    ],
)
def test_it_reads_the_legislators_a_subject_names(subject, names):
    assert legislators_in_subject(subject) == names


@pytest.mark.parametrize(
    "subject",
    [
        None,
        "",
        "行政院函送委員質詢之書面答復，請查照案。",
        "立法院議事日程",
        "行政院函送委員王婉諭、<script>等2人就問題所提質詢之書面答復",
    ],
)
def test_it_finds_nobody_where_the_subject_names_nobody(subject):
    assert legislators_in_subject(subject) == []


def test_it_groups_replies_by_legislator():
    class Reply:
        def __init__(self, subject):
            self.subject = subject

    first = Reply("行政院函送張委員育美就甲問題所提質詢之書面答復")
    second = Reply("行政院函送委員張育美、楊曜等2人對乙所提質詢之書面答復")
    nobody = Reply("公告")
    grouped = by_legislator([first, second, nobody])
    assert grouped == {"張育美": [first, second], "楊曜": [second]}


def test_every_reply_of_the_sample_names_its_legislator():
    folder = CORPUS / "replies"
    if not folder.is_dir():
        pytest.skip(f"the shared corpus is not at {folder}")
    subjects = {}
    for path in folder.glob("*.jsonl"):
        for line in path.read_text("utf-8").splitlines():
            payload = json.loads(line)["payload"]
            subjects[payload["baseId"]] = payload["subject"]
    unparsed = [s for s in subjects.values() if not legislators_in_subject(s)]
    assert len(subjects) == 110
    assert unparsed == []


def test_a_name_never_holds_a_slash_the_page_address_could_not_take():
    assert legislators_in_subject("行政院函送甲/乙黨團就問題所提質詢之書面答復") == []
    assert legislators_in_subject("行政院函送林A/B委員就問題所提質詢之書面答復") == []
