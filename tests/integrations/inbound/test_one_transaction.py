"""One transaction and one commit per webhook call: the domain write and its receipt commit together, a failed
call still leaves its receipt, and a call reads no organisation or client team it has already read."""

import json
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefs.models import Brief
from integrations.inbound import services
from integrations.inbound.models import WebhookReceipt
from tests.factories import ClientTeamFactory
from tracker.models import ClientTeam

from .conftest import post_webhook

BODY = {"externalId": "TX-1", "title": "One commit", "system": "mkto"}


class StatementLog:
    """Each statement the call runs, and whether it ran inside a transaction (not in autocommit)."""

    def __init__(self):
        self.statements: list[tuple[str, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql.split()[0].upper(), connection.in_atomic_block))
        return execute(sql, params, many, context)

    def transactions(self) -> int:
        """How many times the connection went from autocommit into a transaction."""
        count, inside = 0, False
        for _, atomic in self.statements:
            count += atomic and not inside
            inside = atomic
        return count


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("replay", [False, True])
def test_the_write_and_its_receipt_commit_in_one_transaction(client, replay):
    if replay:
        post_webhook(client, "briefs", BODY)
    log = StatementLog()
    with connection.execute_wrapper(log):
        response = post_webhook(client, "briefs", BODY)
    assert response.status_code == 200, response.content
    writes = [(verb, atomic) for verb, atomic in log.statements if verb in ("INSERT", "UPDATE", "DELETE")]
    assert writes and all(atomic for _, atomic in writes), log.statements
    assert log.transactions() == 1, log.statements
    assert WebhookReceipt.objects.count() == (2 if replay else 1)


@pytest.mark.django_db(transaction=True)
def test_a_receipt_that_cannot_be_written_fails_the_call_and_takes_the_write_with_it(client):
    real = services.webhook_receipt_record
    calls = []

    def failing_once(**fields):
        calls.append(fields["status_code"])
        if len(calls) == 1:
            raise RuntimeError("receipt table unavailable")
        return real(**fields)

    with mock.patch.object(services, "webhook_receipt_record", failing_once):
        response = post_webhook(client, "briefs", BODY)
    assert response.status_code == 500 and response.json()["error"] == "upsert failed"
    assert not Brief.objects.exists()  # rolled back with the receipt
    assert calls == [200, 500]
    [receipt] = WebhookReceipt.objects.all()  # the failure's own receipt, written after the rollback
    assert receipt.status_code == 500 and receipt.outcome == WebhookReceipt.Outcome.FAILED


@pytest.mark.django_db(transaction=True)
def test_a_refused_call_leaves_its_receipt_and_nothing_else(client):
    response = post_webhook(client, "briefs", {"externalId": "TX-2"})  # no title
    assert response.status_code == 400
    assert not Brief.objects.exists()
    assert WebhookReceipt.objects.get().status_code == 400


@pytest.mark.django_db
def test_a_call_reads_no_organisation_or_team_it_has_read_before(client):
    team = ClientTeamFactory(slug="spring-launch")
    post_webhook(client, "briefs", {**BODY, "clientTeamSlug": "spring-launch"})
    with CaptureQueriesContext(connection) as captured:
        response = post_webhook(client, "briefs", {**BODY, "title": "Again", "clientTeamSlug": "SPRING-LAUNCH"})
    assert response.status_code == 200
    assert Brief.objects.get().client_team == team
    read = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in read if 'FROM "tracker_organisation"' in sql or 'FROM "tracker_clientteam"' in sql]


@pytest.mark.django_db
def test_a_team_added_after_the_memo_was_filled_is_found_at_once(client):
    team = ClientTeamFactory(slug="first")
    post_webhook(client, "briefs", {**BODY, "clientTeamSlug": "first"})
    # As if saved by another process: bulk_create sends no signal, so this process's memo is not told.
    ClientTeam.objects.bulk_create([ClientTeam(organisation=team.organisation, name="Later", slug="later")])
    response = post_webhook(client, "briefs", {**BODY, "clientTeamSlug": "later"})
    assert response.status_code == 200 and Brief.objects.get().client_team.slug == "later"
    assert json.loads(response.content)["ok"] is True
