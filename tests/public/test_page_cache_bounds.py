"""The page cache: keyed on the parameters a page reads, bounded by the bytes it holds."""

import pytest
from django.core.cache import caches

from tests.samples import sample  # noqa: F401
from tracker.public.caching import page_cache
from tracker.public.page_cache import BytesBoundedLocMemCache

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sample")]


def entries() -> int:
    return len(page_cache._cache)


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize(
    "path",
    [
        "/sitemap-sources.xml",
        "/sitemap-commitments.xml",
        "/sitemap.xml",
        "/",
        "/commitments/",
        "/en/commitments/",
        "/feed/",
        "/methodology/",
        "/recent/",
        "/commitments.csv",
    ],
)
def test_parameters_a_page_does_not_read_add_no_entries(client, path):
    first = client.get(path)
    assert first.status_code == 200
    expected = body(first)
    held = entries()

    for number in range(60):
        response = client.get(f"{path}?n={number}&utm_source=x{number}")
        assert response.status_code == 200
        assert body(response) == expected  # n= and utm_source= are echoed nowhere

    assert entries() == held


def test_parameters_a_page_reads_still_make_different_pages(client):
    everything = client.get("/commitments/").content
    searched = client.get("/commitments/?q=疫苗").content
    assert searched != everything
    assert client.get("/commitments/?q=疫苗&n=1").content == searched
    # One parameter given twice keeps both values, in their order.
    both = client.get("/commitments/?status=追蹤中&status=已延宕").content
    assert both != client.get("/commitments/?status=追蹤中").content


def test_many_distinct_searches_stay_under_the_byte_bound(client, monkeypatch):
    # The backend itself: caching.page_cache is a proxy, whose own __dict__ monkeypatch reads.
    monkeypatch.setattr(caches["pages"], "max_bytes", 300 * 1024)
    for number in range(150):
        assert client.get(f"/commitments/?q=詞{number}").status_code == 200
        assert page_cache.bytes_held <= 300 * 1024
    assert 0 < entries() < 150


def cache(max_bytes, name):
    return BytesBoundedLocMemCache(name, {"OPTIONS": {"MAX_BYTES": max_bytes}})


def test_the_least_recently_used_entries_go_first():
    store = cache(50_000, "test-lru")
    store.clear()
    for number in range(10):
        store.set(f"k{number}", b"x" * 9_000)
        store.get("k0")  # k0 is read after every set: it stays
    assert store.bytes_held <= 50_000
    assert store.get("k0") is not None
    assert store.get("k9") is not None
    assert store.get("k1") is None


def test_sizes_are_counted_on_replace_delete_and_clear():
    store = cache(1_000_000, "test-sizes")
    store.clear()
    store.set("a", b"x" * 10_000)
    once = store.bytes_held
    store.set("a", b"x" * 10_000)
    assert store.bytes_held == once
    store.set("b", b"y" * 20_000)
    store.delete("a")
    assert 20_000 < store.bytes_held < 21_000
    store.clear()
    assert store.bytes_held == 0


def test_a_value_bigger_than_the_bound_is_not_kept():
    store = cache(10_000, "test-big")
    store.clear()
    store.set("small", b"s" * 100)
    store.set("huge", b"h" * 20_000)
    assert store.get("huge") is None
    assert store.get("small") is not None
