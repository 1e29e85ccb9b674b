"""Share cards: Open Graph / Twitter metadata and the PNG drawn with Pillow and Noto CJK."""

from __future__ import annotations

import io
import logging

import pytest
from django.urls import reverse
from PIL import Image

from tests.factories import make_commitment
from tracker.public import cards

LONG_TITLE = "行政院將於二〇二六年底前完成全國長期照顧服務據點之擴充、人力培訓與資訊系統整合" * 3


@pytest.mark.django_db
def test_the_commitment_page_names_its_card(client):
    commitment = make_commitment(title="擴充疫苗採購")
    page = client.get(reverse("public:commitment_detail", args=[commitment.uid])).content.decode()
    card = f"http://testserver/commitments/{commitment.uid}/card.png"
    assert f'<meta property="og:image" content="{card}">' in page
    assert f'<meta name="twitter:image" content="{card}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert '<meta property="og:image:width" content="1200">' in page
    english = client.get(f"/en/commitments/{commitment.uid}/").content.decode()
    assert f"http://testserver/en/commitments/{commitment.uid}/card.png" in english


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_card_is_a_small_png_even_for_a_long_title(client, prefix):
    commitment = make_commitment(title=LONG_TITLE, responsible_agency="衛生福利部、教育部" * 8)
    response = client.get(f"{prefix}/commitments/{commitment.uid}/card.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert len(response.content) < 100 * 1024
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))


@pytest.mark.django_db
def test_the_card_is_cached_per_data_version(client, django_assert_max_num_queries):
    commitment = make_commitment()
    path = f"/commitments/{commitment.uid}/card.png"
    first = client.get(path)
    with django_assert_max_num_queries(1):  # the data version only
        again = client.get(path)
    assert again.content == first.content
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    commitment.title = "新的標題"
    commitment.save()
    assert client.get(path).content != first.content


@pytest.mark.django_db
def test_an_unpublished_commitment_has_no_card(client):
    hidden = make_commitment(is_published=False)
    assert client.get(f"/commitments/{hidden.uid}/card.png").status_code == 404


def test_long_titles_wrap_to_three_lines_ending_in_an_ellipsis():
    typeface = cards.font("bold", 58)
    lines = cards.wrap(LONG_TITLE, typeface, 1056, 3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert all(typeface.getlength(line) <= 1056 for line in lines)
    assert "".join(lines).rstrip("…") == LONG_TITLE[: len("".join(lines)) - 1]


def test_latin_titles_wrap_between_words_and_cut_a_word_too_long():
    typeface = cards.font("bold", 58)
    lines = cards.wrap("Expand vaccine procurement " + "x" * 80, typeface, 1056, 3)
    assert lines[0] == "Expand vaccine procurement"
    assert all(typeface.getlength(line) <= 1056 for line in lines)
    assert cards.wrap("Short title", typeface, 1056, 3) == ["Short title"]


def test_without_the_cjk_font_the_card_is_still_drawn_and_a_warning_says_why(
    monkeypatch, tmp_path, caplog
):
    monkeypatch.setattr(cards, "FONT_DIR", tmp_path)
    for cached in (cards.font, cards._face_index, cards._warn_missing_font):
        cached.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="tracker.public.cards"):
            data = cards.render_card(
                cards.CardText(
                    "政策承諾追蹤", "擴充疫苗採購", "追蹤中", "tracking", "衛福部", "2026"
                )
            )
        assert Image.open(io.BytesIO(data)).size == (1200, 630)
        assert "fonts-noto-cjk" in caplog.text
        assert not cards.has_cjk_font()
    finally:
        for cached in (cards.font, cards._face_index, cards._warn_missing_font):
            cached.cache_clear()
