"""NUL and broken UTF-8 in any address or parameter: 400 from every page, public and admin.

The sweep walks every named URL pattern, so a page added later is covered without a new
test. On PostgreSQL (scripts/run-tests.sh runs the suite there too) such input used to reach
a query and answer 500.
"""

import time
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from tests.samples import sample  # noqa: F401
from tracker.core.models import Commitment, Correction, DuplicateCopy, TrackingLog
from tracker.public.views.corrections import form_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sample")]

BAD_VALUES = {"nul": "%00", "nul-inside": "a%00b", "not-utf8": "%FF", "overlong": "%C0%AE"}
# Parameters the site's views and the admin's filters read, and one nobody reads.
PARAMETERS = [
    "q",
    "page",
    "sort",
    "status",
    "category",
    "agency",
    "p",
    "o",
    "responsible_agency__exact",
    "status__exact",
    "_changelist_filters",
    "next",
    "unused",
]


def named_patterns(patterns=None, namespace=""):
    """Yield (full name, argument names) for every named URL pattern."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            pattern = entry.pattern
            names = getattr(pattern, "converters", None) or pattern.regex.groupindex
            yield f"{namespace}{entry.name}", list(names)


def sample_arguments():
    commitment = Commitment.objects.order_by("pk").first()
    log = TrackingLog.objects.order_by("pk").first()
    folder, name = commitment.file_path[: -len(".md")].split("/", 1)
    DuplicateCopy.objects.create(
        commitment=commitment,
        file_path="x/y.md",
        reason="-",
        last_updated=commitment.last_updated,
        log_count=0,
        file_text="-",
    )
    Correction.objects.create(commitment=commitment, message="-", client_key="k")
    return {
        "uid": commitment.uid,
        "document_id": commitment.source.document_id,
        "source_id": str(commitment.source.pk),
        "commitment_id": str(commitment.pk),
        "category": commitment.category,
        "folder": folder,
        "name": name,
        "section": "commitments",
        "object_id": str(commitment.pk),
        "history_id": "1",
        "app_label": "tracker",
        "entry_id": str(log.pk),
        "pk": str(commitment.pk),
        "id": str(commitment.pk),
        "content_type_id": "1",
        "user_id": "1",
    }


def sweep_urls():
    """Return one good address for every named pattern that can be reversed."""
    arguments = sample_arguments()
    urls, missed = {}, []
    for name, argument_names in named_patterns():
        try:
            kwargs = {key: arguments[key] for key in argument_names}
            urls[name] = (reverse(name, kwargs=kwargs), kwargs)
        except (KeyError, NoReverseMatch):
            missed.append(name)
    return urls, missed


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    return client


def test_every_page_and_parameter_refuses_nul_and_broken_utf8(superuser_client):
    urls, missed = sweep_urls()
    assert len(urls) > 60, missed  # the sweep reaches the public pages and the admin's
    failures = []
    for name, (url, kwargs) in urls.items():
        requests = [
            f"{url}?{parameter}={bad}" for parameter in PARAMETERS for bad in BAD_VALUES.values()
        ]
        requests += [f"{url}?{bad}=1" for bad in BAD_VALUES.values()]
        # Broken UTF-8 in the path reaches views as %XX text, an address that names nothing:
        # 404, or the admin's usual answers for a missing object (302 to the index, 403).
        in_path = []
        for value in kwargs.values():
            encoded = quote(value, safe="")
            in_path += [url.replace(encoded, encoded + bad, 1) for bad in BAD_VALUES.values()]
        for address in requests + in_path:
            status = superuser_client.get(address).status_code
            broken_path = address in in_path and "%00" not in address
            if status != 400 and not (broken_path and status in (302, 403, 404)):
                failures.append(f"{name}: GET {address} answered {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("bad", list(BAD_VALUES.values()), ids=list(BAD_VALUES))
def test_a_posted_form_with_nul_or_broken_utf8_is_refused(superuser_client, bad):
    commitment = Commitment.objects.first()
    url = reverse("public:correction_new", args=[commitment.uid])
    token = quote(form_token(commitment.uid, now=time.time() - 60), safe="")
    response = superuser_client.generic(
        "POST", url, f"message=ok{bad}&token={token}", "application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert not Correction.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "/sources/%00/",
        "/categories/%00/feed/",
        "/a%00/b%00.md",
        "/admin/tracker/commitment/?responsible_agency__exact=%00",
        "/commitments/?q=%E5%9C%8B%00",
    ],
)
def test_the_addresses_the_outside_test_found_answer_400(superuser_client, address):
    assert superuser_client.get(address).status_code == 400


@pytest.mark.parametrize("address", ["/en/sources/%FF/", "/categories/%C0%AE/feed/", "/%FF/%FE.md"])
def test_broken_utf8_in_the_path_is_not_found(superuser_client, address):
    assert superuser_client.get(address).status_code == 404


@pytest.mark.parametrize(
    "address",
    [
        "/categories/%E5%9C%8B%E9%98%B2%E5%A4%96%E4%BA%A4/feed/",
        "/commitments/?q=%E5%9C%8B%E9%98%B2&page=1",
        "/commitments/?q=a+b%25%2500",
        "/sources/%2500/",
    ],
)
def test_encoded_text_that_only_looks_like_nul_is_served(superuser_client, address):
    # %2500 is the text "%00", and + a space: neither is a NUL.
    assert superuser_client.get(address).status_code in (200, 404)
