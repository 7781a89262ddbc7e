"""Fixtures for the Box tests: a test RSA key pair, the fake Box server, and a Box app config pointing at it."""

import json
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache
from django.core.files.base import ContentFile

from deliverables.models import Deliverable
from deliverables.services import deliverable_set_by_upstream
from reviews.services import revision_upload
from tests.factories import ProjectFactory, UserFactory, make_deliverable
from tracker.models import User

from .fake_box import FakeBox

CLIENT_ID = "tracker-test-client"
CLIENT_SECRET = "client-secret-for-tests-7f3a"
ENTERPRISE_ID = "8675309"
KEY_ID = "kid-test-1"
PASSPHRASE = "passphrase-for-tests-91c2"
PRIMARY_KEY = "webhook-primary-key-for-tests"
SECONDARY_KEY = "webhook-secondary-key-for-tests"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(200))


def _key_pair(passphrase: str) -> SimpleNamespace:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SimpleNamespace(
        private_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase.encode()),
        ).decode(),
        public_pem=key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made in most tests here; the production hasher's cost would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_rate_limit_counters():
    """The webhook's rate-limit counters live in the shared cache: start every test with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def box_keys():
    """The app's key pair, made for this test session: the fake Box knows only the public half."""
    return _key_pair(PASSPHRASE)


@pytest.fixture(scope="session")
def other_box_keys():
    return _key_pair(PASSPHRASE)


def box_app_config(private_pem: str) -> dict:
    return {
        "boxAppSettings": {
            "clientID": CLIENT_ID,
            "clientSecret": CLIENT_SECRET,
            "appAuth": {"publicKeyID": KEY_ID, "privateKey": private_pem, "passphrase": PASSPHRASE},
        },
        "enterpriseID": ENTERPRISE_ID,
    }


@pytest.fixture
def fake_box(box_keys, tmp_path, settings):
    """The fake Box on 127.0.0.1, a config file for it, and every Box setting pointing there."""
    fake = FakeBox(
        public_key_pem=box_keys.public_pem,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        enterprise_id=ENTERPRISE_ID,
        key_id=KEY_ID,
    ).start()
    fake.root_id = fake.add_folder("Client deliveries")
    fake.config_path = tmp_path / "box_config.json"
    fake.config_path.write_text(json.dumps(box_app_config(box_keys.private_pem)))
    fake.settings = {
        "BOX_CONFIG_FILE": str(fake.config_path),
        "BOX_API_BASE_URL": fake.url,
        "BOX_UPLOAD_BASE_URL": f"{fake.url}/api",
        "BOX_OAUTH_BASE_URL": f"{fake.url}/oauth2",
        "BOX_ROOT_FOLDER_ID": fake.root_id,
        "BOX_RETRY_BACKOFF_SECONDS": 0.01,
        "BOX_REQUEST_TIMEOUT_SECONDS": 1.0,
        "BOX_WEBHOOK_PRIMARY_KEY": PRIMARY_KEY,
        "BOX_WEBHOOK_SECONDARY_KEY": SECONDARY_KEY,
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for name, value in fake.settings.items():
        setattr(settings, name, value)
    yield fake
    fake.stop()


@pytest.fixture
def box_worker_env(fake_box, monkeypatch):
    """Puts the fake Box's settings in the environment, so a worker process started after this reads them."""
    for name, value in fake_box.settings.items():
        monkeypatch.setenv(name, str(value))
    return fake_box


@pytest.fixture
def owner(db):
    return UserFactory(username="olga", role=User.Role.PRODUCER)


@pytest.fixture
def assignee(db):
    return UserFactory(username="asha", role=User.Role.REVIEWER)


@pytest.fixture
def project(owner):
    return ProjectFactory(name="Summer campaign", omg_job_number="OMG-24017", owner=owner)


@pytest.fixture
def deliverable(project, assignee):
    return make_deliverable(project=project, name="Hero banner", assignee=assignee)


def add_revision(deliverable: Deliverable, content: bytes = PNG, name: str = "hero-banner.png"):
    return revision_upload(deliverable=deliverable, file=ContentFile(content, name=name), actor=None, name=name)


def approve(deliverable: Deliverable, actor=None) -> Deliverable:
    return deliverable_set_by_upstream(
        deliverable=deliverable, status=Deliverable.Status.APPROVED, source="api", system="test", actor=actor
    )
