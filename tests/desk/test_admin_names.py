"""The admin's own names of third-party apps are in the editors' language."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.desk.conftest import logged_in, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(db):
    return logged_in(make_user("root", None, is_superuser=True))


def test_the_login_protection_app_is_named_in_chinese_on_the_index_and_its_pages(
    superuser_client,
):
    index = superuser_client.get(reverse("admin:index")).content.decode()
    attempts = superuser_client.get(reverse("admin:axes_accessattempt_changelist"))

    assert "登入防護" in index and ">Axes<" not in index
    assert attempts.status_code == 200
    breadcrumbs = attempts.content.decode().split('class="breadcrumbs"')[1].split("</div>")[0]
    assert "登入防護" in breadcrumbs and "Axes" not in breadcrumbs


def test_the_login_protection_app_is_named_in_english_too():
    from django.apps import apps

    with translation.override("en"):
        assert str(apps.get_app_config("axes").verbose_name) == "Login protection"
