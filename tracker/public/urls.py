"""The public site's addresses (included at the root, in Chinese and under /en/)."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, re_path

from tracker.public.caching import public_page
from tracker.public.feeds import AgencyFeed, CategoryFeed, CommitmentFeed, QuestionFeed, SiteFeed
from tracker.public.filters import CommitmentFilter
from tracker.public.sitemaps import SITEMAPS
from tracker.public.views import (
    agencies,
    commitments,
    corrections,
    downloads,
    health,
    legislators,
    overview,
    pages,
    questions,
    share,
    sources,
)

app_name = "public"

UID = r"(?P<uid>[0-9A-Za-z-]{36})"
# The query parameters each cached page reads (tracker.public.caching keys pages on them).
# The list's "after" and "before" name the row its next and previous pages start from.
LIST_QUERY = ("page", "after", "before", *CommitmentFilter.base_filters)
DOWNLOAD_QUERY = tuple(CommitmentFilter.base_filters)
PAGE_QUERY = ("page",)

urlpatterns = [
    path("", public_page(overview.overview), name="overview"),
    path(
        "commitments/",
        public_page(commitments.commitment_list, query=LIST_QUERY),
        name="commitment_list",
    ),
    path(
        "commitments.csv",
        public_page(downloads.commitments_csv, query=DOWNLOAD_QUERY),
        name="commitments_csv",
    ),
    path(
        "commitments.json",
        public_page(downloads.commitments_json, query=DOWNLOAD_QUERY),
        name="commitments_json",
    ),
    re_path(
        rf"^commitments/{UID}/$",
        public_page(commitments.commitment_detail, query=("order",)),
        name="commitment_detail",
    ),
    re_path(
        rf"^commitments/{UID}\.md$",
        public_page(downloads.commitment_markdown),
        name="commitment_md",
    ),
    re_path(
        rf"^commitments/{UID}/card\.png$",
        public_page(share.commitment_card),
        name="commitment_card",
    ),
    # The only page other sites may frame (tracker.public.views.share.embeddable).
    re_path(
        rf"^embed/commitments/{UID}/$",
        share.embeddable(public_page(share.commitment_embed)),
        name="commitment_embed",
    ),
    re_path(rf"^commitments/{UID}/feed/$", public_page(CommitmentFeed()), name="commitment_feed"),
    re_path(rf"^commitments/{UID}/correction/$", corrections.correction_new, name="correction_new"),
    re_path(
        rf"^commitments/{UID}/correction/thanks/$",
        corrections.correction_thanks,
        name="correction_thanks",
    ),
    path("sources/<str:document_id>/", public_page(sources.source_detail), name="source_detail"),
    path("recent/", public_page(commitments.recent_changes, query=PAGE_QUERY), name="recent"),
    path(
        "corrections/",
        public_page(corrections.corrections_log, query=PAGE_QUERY),
        name="corrections_log",
    ),
    path("methodology/", public_page(pages.methodology), name="methodology"),
    path("downloads/", public_page(downloads.downloads_page), name="downloads"),
    path("downloads/commitments.zip", public_page(downloads.dataset_zip), name="dataset_zip"),
    path("downloads/<str:name>", public_page(downloads.package_file), name="package_file"),
    path("feed/", public_page(SiteFeed()), name="feed"),
    # Any category or agency name works, slashes included (能源/環境).
    path("categories/<path:category>/feed/", public_page(CategoryFeed()), name="category_feed"),
    path("agencies/<path:agency>/feed/", public_page(AgencyFeed()), name="agency_feed"),
    path("agencies/", public_page(agencies.agency_list), name="agency_list"),
    # After the feed: <path:> would also take "<agency>/feed".
    path("agencies/<path:agency>/", public_page(agencies.agency_detail), name="agency_detail"),
    path("questions/", public_page(questions.overdue_questions), name="questions"),
    path("questions/feed/", public_page(QuestionFeed()), name="questions_feed"),
    path("legislators/", public_page(legislators.legislator_list), name="legislator_list"),
    path(
        "legislators/<str:name>/",
        public_page(legislators.legislator_detail),
        name="legislator_detail",
    ),
    # The upstream static site's addresses: <folder>/<short name>, with or without a suffix.
    path("<str:folder>/<str:name>", commitments.commitment_legacy_redirect, name="legacy"),
    path("<str:folder>/<str:name>/", commitments.commitment_legacy_redirect),
]

# Not translated: one robots.txt and one sitemap index for the whole site.
root_urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("robots.txt", pages.robots_txt, name="robots_txt"),
    # Browsers and crawlers ask for it at the root whatever the page links.
    path("favicon.ico", pages.favicon, name="favicon"),
    path(
        "sitemap.xml",
        public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap_index",
    ),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_views.sitemap, query=("p",)),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]
