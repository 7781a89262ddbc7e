import io

import openpyxl
import pytest
from django.urls import reverse

from reviews.services.feedback import annotation_create
from reviews.services.sessions import review_session_create, review_session_decide, review_session_start

pytestmark = pytest.mark.django_db


def test_the_session_summary_downloads_with_decisions_and_open_action_items(client, reviewer, at_client_review):
    a, b = at_client_review("A"), at_client_review("B")
    annotation_create(revision=a.revisions.get(), x=0.5, y=0.5, body="Crop tighter", actor=reviewer)
    session = review_session_start(
        session=review_session_create(title="Monday", actor=reviewer, deliverables=[a, b]), actor=reviewer
    )
    item = session.items.get(deliverable=b)
    review_session_decide(session=session, item=item, actor=reviewer, decision="APPROVED", notes="Lovely")
    client.force_login(reviewer)
    assert (
        reverse("reviews:summary_export", args=[session.pk])
        in client.get(reverse("reviews:summary", args=[session.pk])).content.decode()
    )
    response = client.get(reverse("reviews:summary_export", args=[session.pk]))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("#", "Deliverable", "Stage")
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["A"][-1] == "1. Crop tighter"
    assert by_name["B"][4] == "Approved" and by_name["B"][7] == "Lovely"
