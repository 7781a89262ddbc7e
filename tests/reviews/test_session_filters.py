"""The review sessions list filtered to the sessions I present (the reviewer's "Sessions to run" tile)."""

import pytest
from django.urls import reverse

from reviews.models import ReviewSession
from tests.factories import UserFactory, default_organisation
from tracker.models import User

pytestmark = pytest.mark.django_db


def test_only_sessions_i_present(client, reviewer):
    other = UserFactory(username="otto", role=User.Role.REVIEWER)
    organisation = default_organisation()
    ReviewSession.objects.create(organisation=organisation, title="Mine", presenter=reviewer)
    ReviewSession.objects.create(organisation=organisation, title="Theirs", presenter=other)
    client.force_login(reviewer)
    everyone = client.get(reverse("reviews:list")).content.decode()
    assert "Mine" in everyone and "Theirs" in everyone
    mine = client.get(reverse("reviews:list") + "?presenter=me").content.decode()
    assert "Mine" in mine and "Theirs" not in mine and 'data-testid="presenter-all"' in mine
