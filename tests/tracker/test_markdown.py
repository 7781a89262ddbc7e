"""Brief descriptions in Markdown: images load only from TRACKER_MARKDOWN_IMAGE_HOSTS (no tracking pixels)."""

import pytest
from django.urls import reverse

from tests.factories import BriefFactory
from tracker.markdown import render_markdown


def test_a_remote_image_becomes_a_link_and_loads_nothing():
    html = render_markdown("![pixel](https://tracker.example/p.gif)")
    assert "<img" not in html
    assert '<a href="https://tracker.example/p.gif" rel="noopener noreferrer">pixel (image not loaded)</a>' in html


def test_an_image_written_as_html_loses_its_source():
    html = render_markdown('<img src="https://tracker.example/p.gif" alt="pixel" onerror="alert(1)">')
    assert html == '<p><img alt="pixel"></p>'


def test_images_from_an_allowed_host_load(settings):
    settings.TRACKER_MARKDOWN_IMAGE_HOSTS = ["assets.example.com"]
    assert '<img alt="logo" src="https://assets.example.com/logo.png">' in render_markdown(
        "![logo](https://assets.example.com/logo.png)"
    )
    # The host must match exactly: a longer name that merely starts with it is another host.
    assert "<img" not in render_markdown("![x](https://assets.example.com.evil.test/p.gif)")
    assert "<img" not in render_markdown("![x](javascript:alert(1))")


@pytest.mark.django_db
def test_the_brief_page_shows_a_pixel_as_a_link(client, producer):
    brief = BriefFactory(description="![pixel](https://tracker.example/p.gif?who=me)")
    client.force_login(producer)
    page = client.get(reverse("briefs:detail", args=[brief.pk])).content.decode()
    assert "tracker.example" in page and '<img alt="pixel"' not in page and 'src="https://tracker.example' not in page


def test_only_the_first_part_of_a_very_long_description_is_rendered():
    from tracker.markdown import MAX_RENDERED_CHARACTERS

    html = render_markdown("word " * (MAX_RENDERED_CHARACTERS // 5 + 1000))
    assert html.endswith("<p><em>… 5,000 more characters are not shown here.</em></p>")
    assert html.count("word") <= MAX_RENDERED_CHARACTERS // 5
