"""Fixed pages: the site's icon."""

from django.contrib.staticfiles import finders


def test_the_root_favicon_leads_to_the_icon_every_page_links(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".ico")
    assert "max-age=86400" in response["Cache-Control"]
    assert client.post("/favicon.ico").status_code == 405
    page = client.get("/").content.decode()
    for name in ("img/favicon.ico", "img/icon.svg", "img/apple-touch-icon.png"):
        assert finders.find(name), name
        assert f"/static/{name}" in page or f"/static/{name.rsplit('.', 1)[0]}." in page
