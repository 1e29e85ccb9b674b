"""sitemap.xml: the fixed pages, every published commitment and every cited reply."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from tracker.core.legislators import by_legislator
from tracker.core.models import Commitment, Source


class I18nSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


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


class AgencySitemap(I18nSitemap):
    changefreq = "weekly"

    def items(self):
        return sorted(Commitment.objects.published().counts_by_agency())

    def location(self, item):
        return reverse("public:agency_detail", args=[item])


class LegislatorSitemap(I18nSitemap):
    changefreq = "monthly"

    def items(self):
        return list(by_legislator(Source.objects.public().only("subject")))

    def location(self, item):
        return reverse("public:legislator_detail", args=[item])


SITEMAPS = {
    "pages": PageSitemap,
    "commitments": CommitmentSitemap,
    "sources": SourceSitemap,
    "agencies": AgencySitemap,
    "legislators": LegislatorSitemap,
}
