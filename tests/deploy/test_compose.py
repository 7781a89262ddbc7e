"""docker-compose.yml and the Dockerfile, checked without Docker (no daemon on these machines): every service,
every variable, the volumes, the Box secret, health checks and restart policies; a pinned base image, a non-root
user, dependencies installed before the code is copied."""

import json
import re

import pytest
import yaml

from tests.conftest import ROOT

APP_SERVICES = ("web", "worker", "beat")
COMPOSE_ONLY_SECTION = "# --- docker compose only"


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_example_variables() -> tuple[set[str], set[str]]:
    """(variables of the tracker, variables of compose itself), commented-out examples included."""
    app, compose_only, current = set(), set(), None
    current = app
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith(COMPOSE_ONLY_SECTION):
            current = compose_only
        match = re.match(r"^#?\s?([A-Z][A-Z0-9_]+)=", line)
        if match:
            current.add(match.group(1))
    return app, compose_only


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_every_service_is_there_with_a_restart_policy_and_a_health_check():
    services = compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web", "worker", "beat", "postgres", "redis"):
        service = services[name]
        assert service.get("restart") in ("unless-stopped", "always"), name
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "gunicorn.conf.py" in services["web"]["command"]


def test_every_env_example_variable_reaches_web_worker_and_beat():
    app_vars, _ = env_example_variables()
    assert len(app_vars) > 80  # the parser found the file's variables, not a handful
    for name in APP_SERVICES:
        environment = compose()["services"][name]["environment"]
        missing = sorted(app_vars - set(environment))
        assert not missing, f"{name} does not get {missing}"


def test_compose_only_variables_are_used_by_the_compose_file():
    text = (ROOT / "docker-compose.yml").read_text()
    _, compose_only = env_example_variables()
    assert compose_only
    for variable in compose_only - {"COMPOSE_PROJECT_NAME"}:  # compose reads that one itself
        assert "${" + variable in text, variable


def test_services_of_the_file_are_wired_in_not_left_to_defaults():
    env = compose()["services"]["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert env["CACHE_URL"].startswith("redis://redis:6379/")
    assert env["CELERY_TASK_ALWAYS_EAGER"] == "false"
    assert env["BOX_CONFIG_FILE"] == "/run/secrets/box_config"
    # Secrets have no default: compose refuses to start without them.
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]


def test_volumes_for_the_database_and_media():
    data = compose()
    assert {"pgdata", "media"} <= set(data["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in data["services"]["postgres"]["volumes"]
    for name in ("web", "worker"):
        service = data["services"][name]
        assert f"media:{service['environment']['MEDIA_ROOT']}" in service["volumes"]


def test_box_config_is_a_secret_whose_committed_stub_is_empty():
    data = compose()
    secret_file = data["secrets"]["box_config"]["file"]
    default = re.fullmatch(r"\$\{BOX_CONFIG_SECRET_FILE:-(.+)\}", secret_file).group(1)
    assert json.loads((ROOT / default).read_text()) == {}
    for name in (*APP_SERVICES, "migrate"):
        assert "box_config" in data["services"][name]["secrets"]


def test_migrations_run_once_before_the_app_starts():
    services = compose()["services"]
    assert "migrate" in " ".join(services["migrate"]["command"])
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("service", ["postgres", "redis"])
def test_service_images_are_pinned(service):
    image = compose()["services"][service]["image"]
    assert re.fullmatch(r"[a-z]+:\d+\.\d+(\.\d+)?-\w+", image), image


def test_dockerfile_base_image_is_pinned_and_slim():
    froms = [args for instruction, args in dockerfile_instructions() if instruction == "FROM"]
    assert len(froms) == 1
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", froms[0]), froms[0]
    assert "latest" not in froms[0]


def test_dockerfile_runs_as_a_user_that_is_not_root():
    users = [args for instruction, args in dockerfile_instructions() if instruction == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0")


def test_dockerfile_installs_requirements_before_copying_the_code_and_collects_static():
    steps = dockerfile_instructions()
    copy_requirements = steps.index(("COPY", "requirements.txt ./"))
    install = next(
        i for i, (ins, args) in enumerate(steps) if ins == "RUN" and "pip install -r requirements.txt" in args
    )
    copy_code = steps.index(("COPY", ". ."))
    assert copy_requirements < install < copy_code
    assert any(ins == "RUN" and "collectstatic" in args for ins, args in steps[copy_code:])


def test_dockerignore_keeps_secrets_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", "deploy/secrets/"} <= set(ignored)
