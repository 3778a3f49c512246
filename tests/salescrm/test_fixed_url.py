"""{% fixed_url %}: the frame's argument-less links, reversed once per process, are the URLs {% url %}
gives, under whatever script prefix and URLconf the request runs."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import include, path, reverse, set_script_prefix

# The project's URLs mounted elsewhere: the URLconf of test_it_follows_the_urlconf.
urlpatterns = [path("elsewhere/", include("salescrm.urls"))]

NAMES = ["home", "prospects:list", "pipeline:board", "targets:bell", "set_language", "admin:index"]


def _render(source: str) -> str:
    return Template(source).render(Context())


@pytest.mark.parametrize("name", NAMES)
def test_it_is_the_url_tag(name):
    assert _render(f"{{% fixed_url '{name}' %}}") == _render(f"{{% url '{name}' %}}") == reverse(name)


def test_it_follows_the_script_prefix():
    plain = _render("{% fixed_url 'prospects:list' %}")
    set_script_prefix("/crm/")
    try:
        assert _render("{% fixed_url 'prospects:list' %}") == "/crm" + plain
    finally:
        set_script_prefix("/")
    assert _render("{% fixed_url 'prospects:list' %}") == plain


def test_it_follows_the_urlconf():
    plain = _render("{% fixed_url 'prospects:list' %}")  # kept for the project's URLconf
    with override_settings(ROOT_URLCONF=__name__):
        assert _render("{% fixed_url 'prospects:list' %}") == "/elsewhere" + plain
    assert _render("{% fixed_url 'prospects:list' %}") == plain
