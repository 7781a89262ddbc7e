import pytest
from django.core.management import call_command

from briefs.models import Brief
from deliverables.models import Deliverable, Revision
from projects.models import ApprovalType
from tracker.models import User

pytestmark = pytest.mark.django_db


def test_demo_loads_users_briefs_in_every_state_and_deliverables_at_different_stages(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo")
    assert set(User.objects.values_list("role", flat=True)) == {"ADMIN", "PRODUCER", "REVIEWER", "VIEWER"}
    assert set(Brief.objects.values_list("status", flat=True)) == {"PENDING", "ACCEPTED", "REJECTED"}
    stages = set(Deliverable.objects.values_list("current_stage__name", flat=True))
    assert len(stages) >= 3
    waiting = Deliverable.objects.filter(current_stage__approval_type=ApprovalType.FORMAL)
    assert waiting.exists()
    assert Revision.objects.filter(deliverable__in=waiting).count() == waiting.count()


def test_demo_runs_twice_without_duplicating(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo")
    counts = Brief.objects.count(), Deliverable.objects.count()
    call_command("demo")
    call_command("demo", "--if-empty")
    assert (Brief.objects.count(), Deliverable.objects.count()) == counts


def test_welcome_prints_the_url_the_logins_and_a_signed_curl(settings):
    from io import StringIO

    settings.BRIEF_WEBHOOK_SECRET = "welcome-secret"
    out = StringIO()
    call_command("welcome", "--host", "127.0.0.1", "--port", "8001", stdout=out)
    text = out.getvalue()
    assert f"http://127.0.0.1:8001{settings.TRACKER_BASE_PATH}/" in text
    assert "admin, producer, reviewer, viewer" in text
    assert "X-Brief-Signature: sha256=" in text
