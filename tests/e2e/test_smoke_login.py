from django.urls import reverse

from tests.factories import UserFactory
from tracker.models import User


def test_producer_signs_in_and_lands_on_the_inbox(page, live_server, login, screenshot):
    producer = UserFactory(username="priya", role=User.Role.PRODUCER)
    login(page, live_server, producer)
    assert page.url.endswith(reverse("briefs:inbox"))
    assert page.locator("h1").inner_text() == "Briefs"
    screenshot(page, "login-inbox")
