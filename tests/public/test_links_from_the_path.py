"""Links built from the request's path never point to another host (GET //evil.example/x)."""

import html
import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests.samples import sample  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sample")]

# Raw paths as a server such as gunicorn passes them on (PATH_INFO, already decoded).
HOSTILE_PATHS = [
    "//evil.example/x",
    "///evil.example/x",
    "//evil.example/commitments/",
    "/\\evil.example/x",
    "/\\/evil.example/x",
    "/\t/evil.example/x",
    "/ /evil.example/x",
    "/en//evil.example/x",
    "//evil.example/en/",
    "//evil.example",
]
# Every address a page holds: links, the canonical and alternates, og:url, forms.
LINK = re.compile(r'(?:href|action|src)="([^"]*)"|property="og:url" content="([^"]*)"')


def links(page: str) -> list[str]:
    return [html.unescape(a or b) for a, b in LINK.findall(page)]


@pytest.mark.parametrize("raw_path", HOSTILE_PATHS)
@pytest.mark.parametrize("query", ["", "?q=x"])
def test_no_link_on_the_page_leaves_the_site(client, raw_path, query):
    response = client.get(f"/{query}", PATH_INFO=raw_path)

    found = links(response.content.decode())
    assert len(found) > 10
    for link in found:
        # As a browser reads it: // (or \\, or either around a tab) means another host.
        assert not re.match(r"^[/\\\s]{2}", link), (raw_path, link)
        target = urlsplit(urljoin("http://testserver/page/", link))
        assert target.netloc in ("testserver", ""), (raw_path, link)


def test_the_404_page_links_to_this_site_in_both_languages(client):
    response = client.get("/", PATH_INFO="//evil.example/x")

    assert response.status_code == 404
    page = response.content.decode()
    assert '<link rel="canonical" href="http://testserver/evil.example/x">' in page
    assert 'hreflang="en" href="http://testserver/en/evil.example/x"' in page
    assert '<a class="language" href="/en/evil.example/x"' in page
    assert "//evil.example" not in page
