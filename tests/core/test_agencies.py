"""Agency spellings grouped under one name, and a field cut into the agencies it names."""

from tracker.core.agencies import agency_parts, canonical_agency


def test_an_alias_has_its_canonical_name():
    assert canonical_agency(" 衛福部 ") == "衛生福利部"
    assert canonical_agency("外交部") == "外交部"


def test_a_field_is_cut_into_its_agencies_as_written():
    assert agency_parts("衛福部、教育部") == [
        ("衛福部", "衛生福利部"),
        ("、", None),
        ("教育部", "教育部"),
    ]
    assert agency_parts("環保署及 經濟部") == [
        ("環保署", "行政院環境保護署"),
        ("及 ", None),
        ("經濟部", "經濟部"),
    ]
    assert agency_parts(None) == []
    assert (
        "".join(text for text, _ in agency_parts("衛福部、教育部與內政部"))
        == "衛福部、教育部與內政部"
    )
