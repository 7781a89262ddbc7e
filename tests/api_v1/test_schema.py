"""The OpenAPI schema describes /api/v1 only, validates, and the API keeps to it under schemathesis."""

import re

import pytest
import requests
import schemathesis
from django.conf import settings as django_settings
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from deliverables.services import deliverable_complete_stage
from tests.factories import ClientTeamFactory, ProjectFactory, make_deliverable
from tracker.api.services import api_key_create
from tracker.models import ApiKey, Organisation

V1 = f"{django_settings.TRACKER_BASE_PATH}/api/v1"


def load_schema() -> dict:
    response = APIClient().get(reverse("api_v1:schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_schema_validates_and_describes_only_api_v1():
    schema = load_schema()
    validate_schema(schema)
    assert set(schema["paths"]) == {
        f"{V1}/projects",
        f"{V1}/projects/{{project_id}}",
        f"{V1}/projects/{{project_id}}/deliverables",
        f"{V1}/projects/{{project_id}}/deliverables/{{deliverable_id}}/history",
    }
    assert schema["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["apiKey"]["description"],
    }
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) == 6
    for operation in operations:
        assert operation["security"] == [{"apiKey": []}]
        assert "401" in operation["responses"]
    post = schema["paths"][f"{V1}/projects"]["post"]
    assert {"200", "201", "400", "409", "422", "429"} <= set(post["responses"])
    assert "Idempotency-Key" in [p["name"] for p in post["parameters"]]


@pytest.mark.django_db
def test_docs_page_works_offline_from_vendored_assets(client):
    response = client.get(reverse("api_v1:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"""(src|href)=["']https?://""", html), "the docs page must not load anything remote"
    # No inline script or style for the Content-Security-Policy to block: the start-up script is a file too.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and "<style" not in html
    startup = f"{reverse('api_v1:docs')}?script="
    for asset in re.findall(r"""(?:src|href)=["']([^"']+)["']""", html):
        assert asset.startswith(f"{django_settings.STATIC_URL}drf_spectacular_sidecar/") or asset == startup, asset
        assert client.get(asset).status_code == 200, asset
    script = client.get(startup)
    assert script["Content-Type"].startswith("application/javascript")
    assert reverse("api_v1:schema") in script.content.decode().replace("\\u002D", "-")  # escaped in a JS string


@pytest.mark.django_db(transaction=True)
def test_api_conforms_to_its_schema_under_schemathesis(live_server, settings):
    """Generated requests (valid and invalid) against every operation: no 5xx, no response off the schema."""
    settings.API_KEY_RATE_LIMIT = "100000/m"  # generated traffic must reach the views, not the rate limit
    organisation = Organisation.objects.get(slug="default")
    _key, secret = api_key_create(organisation=organisation, name="Schemathesis", scopes=list(ApiKey.Scope.values))
    project = ProjectFactory(client_team=ClientTeamFactory(), custom_fields={"costCenter": "CC-1"})
    deliverable = make_deliverable(project, name="Hero banner")
    deliverable_complete_stage(deliverable=deliverable, stage=deliverable.current_stage, actor=None)

    schema = schemathesis.openapi.from_dict(load_schema())
    # No keep-alive: a server thread still waiting on an idle connection after the test would outlive the
    # live server's database sharing and fail as it closes.
    auth = {"Authorization": f"Bearer {secret}", "Connection": "close"}
    session = requests.Session()
    checks = [not_a_server_error, response_schema_conformance]
    statuses: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategies = [
            operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
        ]
        if "{project_id}" in operation.path:
            strategies.append(operation.as_strategy(path_parameters={"project_id": str(project.pk)}))
        for strategy in strategies:

            @hypothesis_settings(
                max_examples=25,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def exercise(case):
                response = case.call(base_url=live_server.url, session=session, headers=auth)
                statuses.append(response.status_code)
                case.validate_response(response, checks=checks, headers=auth)

            exercise()
    session.close()
    # The run really exercised the API: successes as well as refusals.
    assert len(statuses) >= 150
    assert {200, 201, 400, 404} <= set(statuses)
