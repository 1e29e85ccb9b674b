from django.urls import reverse


def test_robots_txt_points_to_the_sitemap_and_keeps_robots_out_of_the_admin(client, db):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_robots_txt_answers_head_and_covers_every_language(client, db):
    head = client.head("/robots.txt")
    assert head.status_code == 200
    assert head.content == b""
    text = client.get("/robots.txt").content.decode()
    for path in (
        "/commitments/?",
        "/en/commitments/?",
        "/commitments.csv",
        "/commitments.json",
        "/en/commitments.csv",
        "/en/commitments.json",
    ):
        assert f"Disallow: {path}\n" in text
    assert client.post("/robots.txt").status_code == 405


def test_sitemap_lists_published_commitments_in_both_languages(client, sample):
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-commitments.xml" in index
    commitments = client.get("/sitemap-commitments.xml").content.decode()
    uid = "0d78eb7d-7b0b-e027-1696-c2f7314f1bdb"
    assert f"http://testserver/commitments/{uid}/" in commitments
    assert f"http://testserver/en/commitments/{uid}/" in commitments
    assert 'hreflang="x-default"' in commitments


def test_pages_have_title_description_canonical_and_open_graph(client, sample):
    uid = "0d78eb7d-7b0b-e027-1696-c2f7314f1bdb"
    html = client.get(reverse("public:commitment_detail", args=[uid])).content.decode()
    assert "<title>持續捍衛國家主權及國際參與 | 政策承諾追蹤</title>" in html
    assert f'<link rel="canonical" href="http://testserver/commitments/{uid}/">' in html
    assert '<meta property="og:title" content="持續捍衛國家主權及國際參與">' in html
    assert '<meta name="description" content="追蹤中｜國防外交｜' in html
    assert f'hreflang="en" href="http://testserver/en/commitments/{uid}/"' in html
    assert 'media="print"' in html
