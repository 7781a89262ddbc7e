import pytest

from briefs.models import Brief
from briefs.services import brief_promote, brief_reject, brief_reopen
from projects.models import Project
from tests.factories import BriefFactory
from tracker.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role_fixture", ["viewer", "reviewer"])
def test_triage_is_refused_without_brief_triage(request, role_fixture):
    actor = request.getfixturevalue(role_fixture)
    pending = BriefFactory()
    rejected = BriefFactory(status=Brief.Status.REJECTED, rejection_reason="duplicate")
    with pytest.raises(PermissionDeniedError):
        brief_promote(brief=pending, actor=actor, name="Sneaky")
    with pytest.raises(PermissionDeniedError):
        brief_reject(brief=pending, actor=actor, reason="Sneaky")
    with pytest.raises(PermissionDeniedError):
        brief_reopen(brief=rejected, actor=actor)
    pending.refresh_from_db()
    rejected.refresh_from_db()
    assert (pending.status, rejected.status) == (Brief.Status.PENDING, Brief.Status.REJECTED)
    assert not Project.objects.filter(name="Sneaky").exists()


def test_a_producer_promotes_rejects_and_reopens(producer):
    project = brief_promote(brief=BriefFactory(), actor=producer, name="Promoted")
    assert project.source_brief.status == Brief.Status.ACCEPTED
    brief = brief_reject(brief=BriefFactory(), actor=producer, reason="Out of scope")
    assert brief_reopen(brief=brief, actor=producer).status == Brief.Status.PENDING
