"""The Content-Security-Policy every response carries, and the templates that must live within it."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import ROOT

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["login", "api_v1:docs"])
def test_every_page_carries_the_policy(client, path):
    policy = directives(client.get(reverse(path)))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"] and policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:"]  # no TRACKER_MARKDOWN_IMAGE_HOSTS in the tests
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_json_answers_carry_it_too(client):
    response = client.post(reverse("inbound:webhook-briefs"), b"{}", content_type="application/json")
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT / "templates")))
def test_no_template_has_what_the_policy_blocks(template: Path):
    html = re.sub(r"\{#.*?#\}", "", template.read_text())  # template comments may name what they avoid
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>: use a file under static/js"
    assert not re.search(r"\son[a-z]+\s*=", html), "an on*= handler attribute: listen from a static script"
    assert "<style" not in html, "a <style> element: put the rules in a stylesheet under static/css"
    assert "javascript:" not in html.lower()
