"""The home page: each role's tiles, registered by the apps (tracker/home.py), each a count that links to the
filtered list behind it, in a constant number of queries."""

import copy
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from briefs.models import Brief
from tests.factories import BriefFactory, UserFactory
from tests.homes import studio
from tracker import home
from tracker.home import ATTENTION, TileCount, home_sections, register_tile, tiles_for
from tracker.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(home, "_tiles", copy.copy(home._tiles))
    return home


def tile_values(body: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="tile-([\w-]+)-value">(\d+)<', body))


def tile_links(body: str) -> dict[str, str]:
    found = re.findall(r'href="([^"]+)" data-testid="tile-([\w-]+)"', body)
    return {key: href.replace("&amp;", "&") for href, key in found}


def test_each_role_sees_its_own_tiles():
    keys = {role: [t.key for t in tiles_for(UserFactory.build(role=role))] for role in User.Role.values}
    assert keys[User.Role.PRODUCER] == ["briefs-waiting", "approvals-waiting", "box-failed", "due-week", "overdue"]
    assert keys[User.Role.REVIEWER] == ["sessions-to-run", "revisions-waiting"]
    assert keys[User.Role.ADMIN] == [
        "webhook-receipts", "outbound-failed", "box-failures", "briefs-waiting", "approvals-waiting", "due-week",
        "overdue",
    ]  # fmt: skip
    assert keys[User.Role.VIEWER] == ["due-week", "overdue"]
    superuser = UserFactory.build(role=User.Role.VIEWER, is_superuser=True)
    assert [t.key for t in tiles_for(superuser)] == keys[User.Role.ADMIN]


def test_producer_home_counts_and_links(client, producer):
    studio(3, producer=producer)
    Brief.objects.filter(pk=Brief.objects.order_by("pk").first().pk).update(
        created_at=timezone.now() - timedelta(days=4, hours=1)
    )
    client.force_login(producer)
    body = client.get(reverse("home")).content.decode()
    assert tile_values(body) == {
        "briefs-waiting": "3", "approvals-waiting": "3", "box-failed": "3", "due-week": "3", "overdue": "3",
    }  # fmt: skip
    assert 'data-testid="tile-briefs-waiting-note">oldest waiting 4\xa0days<' in body
    links = tile_links(body)
    assert links["briefs-waiting"] == reverse("briefs:inbox") + "?sort=-received"
    assert links["approvals-waiting"] == reverse("deliverables:list") + "?waiting=mine"
    assert links["due-week"] == reverse("deliverables:list") + "?due=week"
    assert links["overdue"] == reverse("deliverables:list") + "?due=overdue"
    assert links["box-failed"] == reverse("box:failed")


def test_each_tile_opens_a_list_of_exactly_its_rows(client, producer):
    studio(3, producer=producer)
    client.force_login(producer)
    links = tile_links(client.get(reverse("home")).content.decode())
    for key, testid in (
        ("approvals-waiting", "deliverables-list"), ("due-week", "deliverables-list"),
        ("overdue", "deliverables-list"), ("box-failed", "box-failed-table"),
    ):  # fmt: skip
        body = client.get(links[key]).content.decode()
        table = re.search(rf'data-testid="{testid}".*?</table>', body, re.S).group(0)
        assert table.count("<tr>") - 1 == 3, key  # the header row and three rows


def test_a_stage_waits_for_the_project_owner_only(client, producer):
    other = UserFactory(username="otto", role=User.Role.PRODUCER)
    studio(2, producer=producer)
    client.force_login(other)
    assert tile_values(client.get(reverse("home")).content.decode())["approvals-waiting"] == "0"


def test_reviewer_home(client, producer, reviewer):
    studio(2, producer=producer, reviewer=reviewer)
    client.force_login(reviewer)
    body = client.get(reverse("home")).content.decode()
    assert tile_values(body) == {"sessions-to-run": "2", "revisions-waiting": "2"}
    assert tile_links(body)["sessions-to-run"] == reverse("reviews:list") + "?presenter=me"
    assert tile_links(body)["revisions-waiting"] == reverse("reviews:new")


def test_admin_home_shows_integration_health(client, admin_user, producer):
    studio(2, producer=producer)
    client.force_login(admin_user)
    body = client.get(reverse("home")).content.decode()
    values = tile_values(body)
    assert values["webhook-receipts"] == "4"  # two routes, two refusals each
    assert values["outbound-failed"] == "2"
    assert values["box-failures"] == "4"  # two pushes, two inbound events
    assert "Briefs <strong>2</strong>" in body and "Creative Force <strong>2</strong>" in body
    links = tile_links(body)
    assert links["webhook-receipts"] == reverse("upstream:integrations")
    assert links["outbound-failed"] == reverse("outbound:deliveries") + "?status=FAILED"
    assert links["box-failures"] == reverse("box:settings") + "?push_outcome=failed"
    assert 'class="tile tile-alert"' in body


def test_old_receipts_leave_the_window(client, admin_user, producer):
    from integrations.inbound.models import WebhookReceipt

    studio(1, producer=producer)
    WebhookReceipt.objects.update(created_at=timezone.now() - timedelta(hours=25))
    client.force_login(admin_user)
    assert tile_values(client.get(reverse("home")).content.decode())["webhook-receipts"] == "0"


def test_a_role_without_tiles_sees_the_empty_state(client, registry):
    registry._tiles.clear()
    client.force_login(UserFactory(role=User.Role.VIEWER))
    assert 'data-testid="home-empty"' in client.get(reverse("home")).content.decode()


def test_a_registered_tile_shows_in_its_section(registry, producer):
    register_tile(
        "widgets", "Widgets", roles=(User.Role.PRODUCER,), section=ATTENTION, order=1,
        count=lambda user, organisation: TileCount(7, note="since Monday"), url=lambda user: "/widgets",
    )  # fmt: skip
    from tracker.services import organisation_for_user

    first = home_sections(producer, organisation_for_user(producer))[0].tiles[0]
    assert (first.key, first.value, first.note, first.href) == ("widgets", 7, "since Monday", "/widgets")
    with pytest.raises(ValueError):
        register_tile("x", "X", roles=(), section="nowhere", order=1, count=lambda u, o: 0, url=lambda u: "/")


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_home_costs_the_same_queries_for_10_or_200_rows(client, producer, reviewer, admin_user, viewer):
    users = (producer, reviewer, admin_user, viewer)

    def queries_per_role() -> list[int]:
        counts = []
        for user in users:
            client.force_login(user)
            counts.append(page_queries(client, reverse("home")))
        return counts

    studio(10, producer=producer, reviewer=reviewer)
    few = queries_per_role()
    studio(190, producer=producer, reviewer=reviewer)
    assert queries_per_role() == few


def test_pending_briefs_only(client, producer):
    BriefFactory(status=Brief.Status.REJECTED)
    BriefFactory(status=Brief.Status.ACCEPTED)
    client.force_login(producer)
    body = client.get(reverse("home")).content.decode()
    assert tile_values(body)["briefs-waiting"] == "0"
    assert "The inbox is clear." in body
