"""Settings → Integrations lists the CMP adapter with both URLs to register, and its calls."""

from django.urls import reverse

from .conftest import post_cmp


def test_the_integrations_page_lists_both_cmp_urls_and_the_calls(client, admin_user, linked):
    post_cmp(client, "task__step_started")
    client.force_login(admin_user)
    page = client.get(reverse("upstream:integrations")).content.decode()
    assert 'data-provider="optimizely"' in page
    assert reverse("optimizely:task-events") in page and reverse("optimizely:content-events") in page
    assert 'data-event="task_step_started"' in page
