"""The Box client: Box's official SDK (`box_sdk_gen`) with JWT app auth from the Box app config file.

`box_configuration()` says whether Box is configured and, when not, why — without ever returning a secret.
`box_client()` builds (and caches per process) a `BoxClient` pointed at BOX_API_BASE_URL / BOX_UPLOAD_BASE_URL /
BOX_OAUTH_BASE_URL. The SDK makes exactly one attempt per request (re-authenticating once on a 401): our Celery
task owns the retries, so that every attempt is one BoxPushLog row.
"""

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from box_sdk_gen import BaseUrls, BoxClient, BoxJWTAuth, JWTConfig, NetworkSession
from box_sdk_gen.internal.utils import DefaultPrivateKeyDecryptor
from box_sdk_gen.networking.retries import RetryStrategy
from box_sdk_gen.networking.timeout_config import TimeoutConfig
from django.conf import settings

REQUIRED_FIELDS = (
    ("boxAppSettings", "clientID"),
    ("boxAppSettings", "clientSecret"),
    ("boxAppSettings", "appAuth", "publicKeyID"),
    ("boxAppSettings", "appAuth", "privateKey"),
)


class BoxNotConfiguredError(Exception):
    """Box is off, or its config file cannot be used. The message says why, and never carries a secret."""


@dataclass(frozen=True)
class BoxConfiguration:
    configured: bool
    reason: str = ""
    config_file: str = ""
    enterprise_id: str = ""
    user_id: str = ""
    client_id: str = ""
    public_key_id: str = ""


def _dig(data: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _read_config() -> tuple[dict, BoxConfiguration]:
    path = settings.BOX_CONFIG_FILE
    if not path:
        return {}, BoxConfiguration(False, "BOX_CONFIG_FILE is not set")
    file = Path(path)
    if not file.is_file():
        return {}, BoxConfiguration(False, f"the config file {path} does not exist", config_file=path)
    try:
        data = json.loads(file.read_text(encoding="utf-8") or "{}")
    except (OSError, UnicodeDecodeError) as error:
        return {}, BoxConfiguration(False, f"the config file {path} cannot be read ({error.__class__.__name__})", path)
    except json.JSONDecodeError:
        return {}, BoxConfiguration(False, f"the config file {path} is not valid JSON", config_file=path)
    if not isinstance(data, dict):
        return {}, BoxConfiguration(False, f"the config file {path} is not a JSON object", config_file=path)
    if not data:
        return {}, BoxConfiguration(
            False,
            f"the config file {path} is empty ({{}}): put the app's JSON config from the Box Developer Console there",
            config_file=path,
        )
    missing = [".".join(field) for field in REQUIRED_FIELDS if not _dig(data, field)]
    enterprise_id = str(data.get("enterpriseID") or "")
    user_id = str(data.get("userID") or "")
    if not enterprise_id and not user_id:
        missing.append("enterpriseID")
    found = BoxConfiguration(
        configured=not missing,
        reason=f"the config file {path} lacks {', '.join(missing)}" if missing else "",
        config_file=path,
        enterprise_id=enterprise_id,
        user_id=user_id,
        client_id=str(_dig(data, ("boxAppSettings", "clientID")) or ""),
        public_key_id=str(_dig(data, ("boxAppSettings", "appAuth", "publicKeyID")) or ""),
    )
    return data, found


def box_configuration(*, check_key: bool = False) -> BoxConfiguration:
    """Whether Box is configured, and why not. `check_key` also decrypts the private key (no network)."""
    data, found = _read_config()
    if found.configured and check_key:
        app_auth = data["boxAppSettings"]["appAuth"]
        try:
            _KeyDecryptor().decrypt_private_key(app_auth["privateKey"], app_auth.get("passphrase") or "")
        except (ValueError, TypeError):
            return BoxConfiguration(
                False,
                f"the private key in {found.config_file} cannot be read with its passphrase",
                config_file=found.config_file,
                enterprise_id=found.enterprise_id,
                user_id=found.user_id,
                client_id=found.client_id,
                public_key_id=found.public_key_id,
            )
    return found


class _KeyDecryptor(DefaultPrivateKeyDecryptor):
    """The SDK's decryptor, also accepting an unencrypted key with an empty passphrase."""

    def decrypt_private_key(self, encryptedPrivateKey: str, passphrase: str):  # noqa: N803 - the SDK's name
        if not passphrase:
            from cryptography.hazmat.primitives import serialization

            return serialization.load_pem_private_key(encryptedPrivateKey.encode("ascii"), password=None)
        return super().decrypt_private_key(encryptedPrivateKey, passphrase)


class SingleAttemptRetryStrategy(RetryStrategy):
    """No SDK-level retries: the push task retries with backoff and logs each attempt. A 401 refreshes the
    access token once (a cached token expired), which is not a failed attempt."""

    def should_retry(self, fetch_options, fetch_response, attempt_number: int) -> bool:
        if fetch_response.status == 401 and fetch_options.auth is not None and attempt_number < 2:
            fetch_options.auth.refresh_token(network_session=fetch_options.network_session)
            return True
        return False

    def retry_after(self, fetch_options, fetch_response, attempt_number: int) -> float:
        return 0.0


_cache_lock = threading.Lock()
_cached: dict[tuple, BoxClient] = {}


def box_client() -> BoxClient:
    """A Box client for the configured app (its access token is reused until Box answers 401).

    Raises BoxNotConfiguredError saying why when Box is off.
    """
    data, found = _read_config()
    if not found.configured:
        raise BoxNotConfiguredError(f"Box is not configured: {found.reason}")
    path = Path(found.config_file)
    key = (
        str(path.resolve()),
        path.stat().st_mtime_ns,
        settings.BOX_API_BASE_URL,
        settings.BOX_UPLOAD_BASE_URL,
        settings.BOX_OAUTH_BASE_URL,
        settings.BOX_REQUEST_TIMEOUT_SECONDS,
    )
    with _cache_lock:
        client = _cached.get(key)
        if client is None:
            _cached.clear()
            client = _build(data)
            _cached[key] = client
        return client


def _build(data: dict) -> BoxClient:
    app = data["boxAppSettings"]
    config = JWTConfig(
        client_id=app["clientID"],
        client_secret=app["clientSecret"],
        jwt_key_id=app["appAuth"]["publicKeyID"],
        private_key=app["appAuth"]["privateKey"],
        private_key_passphrase=app["appAuth"].get("passphrase") or "",
        enterprise_id=str(data["enterpriseID"]) if data.get("enterpriseID") else None,
        user_id=None if data.get("enterpriseID") else str(data.get("userID")),
        private_key_decryptor=_KeyDecryptor(),
    )
    timeout_ms = int(settings.BOX_REQUEST_TIMEOUT_SECONDS * 1000)
    session = NetworkSession(
        base_urls=BaseUrls(
            base_url=settings.BOX_API_BASE_URL.rstrip("/"),
            upload_url=settings.BOX_UPLOAD_BASE_URL.rstrip("/"),
            oauth_2_url=settings.BOX_OAUTH_BASE_URL.rstrip("/"),
        ),
        retry_strategy=SingleAttemptRetryStrategy(),
        timeout_config=TimeoutConfig(connection_timeout_ms=min(timeout_ms, 10000), read_timeout_ms=timeout_ms),
    )
    return BoxClient(auth=BoxJWTAuth(config=config), network_session=session)
