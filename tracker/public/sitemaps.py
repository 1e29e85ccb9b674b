"""sitemap.xml: the fixed pages, every published commitment and every cited reply."""

from collections.abc import Sequence

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils.functional import cached_property

from tracker.core.legislators import by_legislator
from tracker.core.models import Commitment, CommitmentTally, Source


class ItemsInLanguages(Sequence):
    """The (item, language) pairs of a queryset in every language, read a page at a time.

    Django's i18n sitemaps list every pair to paginate them, so the sitemap index and every
    section page read all 118,500 commitments at 100 times the corpus; this sequence counts
    the rows and reads only the rows of the slice the paginator asks for.
    """

    def __init__(self, queryset, languages):
        self.queryset = queryset
        self.languages = list(languages)

    @cached_property
    def _rows(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self._rows * len(self.languages)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            position = index + len(self) if index < 0 else index
            if not 0 <= position < len(self):
                raise IndexError(index)
            return self[position : position + 1][0]
        start, stop, step = index.indices(len(self))
        if step != 1:
            return list(self)[index]
        each = len(self.languages)
        first = start // each
        rows = self.queryset[first : -(-stop // each)] if stop > start else []
        pairs = [(item, language) for item in rows for language in self.languages]
        return pairs[start - first * each : stop - first * each]


class I18nSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    # URLs per page (each with its alternates): at most 50,000 by the protocol; fewer keep a
    # page's render to about a second at 100 times the corpus (50,000 took 8-12 s).
    limit = 10_000

    def _location(self, item, force_lang_code=None):
        """Return an item's address in a language, worked out once per item and language.

        Django's i18n sitemap asks each (item, language) entry for its own address and for
        every alternate's (and x-default's) under translation.override: eight reverses for
        the two entries of an item in two languages, where two differ. At 100 times the
        corpus that was most of a 10,000-address page's time.
        """
        obj, language = item
        language = force_lang_code or language
        key = (id(obj), language)
        if key not in self._locations:
            # OBJ kept with its address: while it is alive, no other object has its id.
            self._locations[key] = (obj, super()._location(item, language))
        return self._locations[key][1]

    @cached_property
    def _locations(self) -> dict:
        return {}

    def _items(self):
        # Once per request (the index asks the paginator twice); every item is in every
        # language (get_languages_for_item is not overridden).
        if "_pairs" not in self.__dict__:
            items = self.items()
            if isinstance(items, QuerySet):
                self._pairs = ItemsInLanguages(items, self._languages())
            else:
                self._pairs = super()._items()
        return self._pairs


class PageSitemap(I18nSitemap):
    changefreq = "daily"

    def items(self):
        return [
            "public:overview",
            "public:commitment_list",
            "public:recent",
            "public:methodology",
            "public:corrections_log",
            "public:downloads",
            "public:agency_list",
            "public:legislator_list",
            "public:questions",
        ]

    def location(self, item):
        return reverse(item)


class CommitmentSitemap(I18nSitemap):
    changefreq = "weekly"

    def items(self):
        return Commitment.objects.published().only("uid", "last_updated").order_by("pk")

    def location(self, item):
        return reverse("public:commitment_detail", args=[item.uid])

    def lastmod(self, item):
        return item.last_updated

    def get_latest_lastmod(self):
        # For the index: one aggregate (Django's default reads every item for its lastmod:
        # 6 s for sitemap.xml at 100 times the corpus).
        return Commitment.objects.published().aggregate(latest=Max("last_updated"))["latest"]


class SourceSitemap(I18nSitemap):
    changefreq = "monthly"

    def items(self):
        return (
            Source.objects.filter(commitments__is_published=True)
            .annotate(latest=Max("commitments__last_updated"))
            .only("document_id")
            .order_by("pk")
        )

    def location(self, item):
        return reverse("public:source_detail", args=[item.document_id])

    def lastmod(self, item):
        return item.latest

    def get_latest_lastmod(self):
        # A reply's lastmod is its latest published commitment's: the newest of them all.
        return (
            Commitment.objects.published()
            .filter(source__isnull=False)
            .aggregate(latest=Max("last_updated"))["latest"]
        )


class AgencySitemap(I18nSitemap):
    changefreq = "weekly"

    def items(self):
        return sorted(CommitmentTally.objects.published().counts_by_agency())

    def location(self, item):
        return reverse("public:agency_detail", args=[item])


class LegislatorSitemap(I18nSitemap):
    changefreq = "monthly"

    def items(self):
        return list(by_legislator(Source.objects.public().values_list("subject", named=True)))

    def location(self, item):
        return reverse("public:legislator_detail", args=[item])


SITEMAPS = {
    "pages": PageSitemap,
    "commitments": CommitmentSitemap,
    "sources": SourceSitemap,
    "agencies": AgencySitemap,
    "legislators": LegislatorSitemap,
}
