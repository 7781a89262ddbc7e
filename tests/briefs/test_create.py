"""A brief typed in by hand ("New brief"): the intake service with source "ui", for those who triage briefs."""

import pytest
from django.test import Client
from django.urls import reverse

from briefs.models import Brief
from briefs.services import brief_create
from tests.factories import ClientTeamFactory, default_organisation
from tracker.errors import PermissionDeniedError
from tracker.models import Event

pytestmark = pytest.mark.django_db


def test_a_producer_adds_a_brief_from_the_inbox(client, producer):
    team = ClientTeamFactory(name="Retail")
    client.force_login(producer)
    inbox = client.get(reverse("briefs:inbox")).content.decode()
    assert f'href="{reverse("briefs:new")}"' in inbox
    response = client.post(
        reverse("briefs:new"),
        {"title": "  Window display for Lyon  ", "requestor_name": "Sam Lee", "requestor_email": "sam@client.example",
         "client_team": team.pk, "priority": "URGENT", "requested_due_date": "2031-04-02",
         "description": "Asked for on the phone."},
    )  # fmt: skip
    brief = Brief.objects.get(title="Window display for Lyon")
    assert response.status_code == 302 and response["Location"] == reverse("briefs:detail", args=[brief.pk])
    assert (brief.source, brief.status, brief.priority, brief.client_team, brief.external_id) == (
        "ui",
        Brief.Status.PENDING,
        "URGENT",
        team,
        None,
    )
    assert brief.requested_due_date.date().isoformat() == "2031-04-02"
    assert Event.objects.filter(name="brief.received", payload__briefId=str(brief.pk)).exists()
    assert "Window display for Lyon" in client.get(reverse("briefs:inbox")).content.decode()


def test_brief_form_errors_sit_next_to_their_fields(client, producer):
    client.force_login(producer)
    response = client.post(
        reverse("briefs:new"), {"title": "   ", "requestor_email": "not an email", "priority": "SOMETIMES"}
    )
    assert response.status_code == 400
    assert {"title", "requestor_email", "priority"} <= set(response.context["form"].errors)
    assert 'id="id_title_errors"' in response.content.decode()
    assert not Brief.objects.exists()


def test_only_those_who_triage_may_add_briefs(client, viewer, reviewer):
    for user in (viewer, reviewer):
        client.force_login(user)
        assert f'href="{reverse("briefs:new")}"' not in client.get(reverse("briefs:inbox")).content.decode()
        assert client.get(reverse("briefs:new")).status_code == 403
        assert client.post(reverse("briefs:new"), {"title": "Sneaky", "priority": "LOW"}).status_code == 403
    with pytest.raises(PermissionDeniedError):
        brief_create(organisation=default_organisation(), actor=viewer, title="Sneaky")
    assert not Brief.objects.exists()


def test_adding_a_brief_needs_the_csrf_token(producer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(producer)
    assert client.post(reverse("briefs:new"), {"title": "No token", "priority": "LOW"}).status_code == 403
    assert not Brief.objects.exists()
