"""`integrations.webhooks.http.fetch`: a file from an outside address, through the same URL rules and pinned
connection as outbound webhooks, size-limited, with a bounded number of redirects each checked again."""

import hashlib
import socket

import pytest

from integrations.webhooks import addresses
from integrations.webhooks.http import FetchFailed, fetch

from .fileserver import FileServer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture
def files(settings):
    settings.WEBHOOK_EXEMPT_HOSTS = ["127.0.0.1"]
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = []
    server = FileServer().start()
    yield server
    server.stop()


def test_a_file_is_streamed_to_a_temporary_file_with_its_name_type_and_digest(files):
    files.serve("/assets/hero%20banner.png", PNG, content_type="image/png; charset=binary")
    with fetch(files.url("/assets/hero%20banner.png"), max_bytes=10_000, timeout=2) as fetched:
        assert fetched.file.read() == PNG
        assert (fetched.size, fetched.name, fetched.content_type) == (len(PNG), "hero banner.png", "image/png")
        assert fetched.sha256 == hashlib.sha256(PNG).hexdigest()


def test_the_servers_file_name_wins_and_cannot_climb_out_of_a_folder(files):
    files.serve("/download", PNG, headers={"Content-Disposition": 'attachment; filename="../../etc/cover.png"'})
    with fetch(files.url("/download"), max_bytes=10_000, timeout=2) as fetched:
        assert fetched.name == "cover.png"


def test_a_declared_length_over_the_limit_is_refused_before_reading(files):
    files.serve("/big.png", PNG)
    with pytest.raises(FetchFailed) as refused:
        fetch(files.url("/big.png"), max_bytes=100, timeout=2)
    assert not refused.value.retryable and "the limit is 100 bytes" in refused.value.message


def test_a_body_without_a_length_is_cut_off_at_the_limit(files):
    files.serve("/stream.png", PNG * 50, declared_length=None)
    with pytest.raises(FetchFailed) as refused:
        fetch(files.url("/stream.png"), max_bytes=1_000, timeout=2)
    assert not refused.value.retryable and "larger than the limit of 1,000 bytes" in refused.value.message


def test_a_redirect_is_followed_and_the_new_url_passes_the_rules_again(files, monkeypatch):
    looked_up = []
    real = addresses.resolve_target
    monkeypatch.setattr(addresses, "resolve_target", lambda target: looked_up.append(target.host) or real(target))
    files.redirect("/assets/1", "/storage/hero.png")
    files.serve("/storage/hero.png", PNG)
    with fetch(files.url("/assets/1"), max_bytes=10_000, timeout=2) as fetched:
        assert fetched.name == "hero.png" and fetched.url.endswith("/storage/hero.png")
    assert files.requests == ["/assets/1", "/storage/hero.png"] and looked_up == ["127.0.0.1", "127.0.0.1"]


def test_a_redirect_to_a_private_address_is_refused_without_connecting(files, monkeypatch):
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["10.0.0.5"])
    files.redirect("/assets/1", "https://intranet.example.com/secret.png")
    with pytest.raises(FetchFailed) as refused:
        fetch(files.url("/assets/1"), max_bytes=10_000, timeout=2)
    assert not refused.value.retryable and "10.0.0.5, which is not a public address" in refused.value.message


def test_redirects_are_bounded(files):
    for hop in range(5):
        files.redirect(f"/hop/{hop}", f"/hop/{hop + 1}")
    with pytest.raises(FetchFailed, match="more than 3 redirects"):
        fetch(files.url("/hop/0"), max_bytes=10_000, timeout=2)
    assert files.requests == ["/hop/0", "/hop/1", "/hop/2", "/hop/3"]


def test_loopback_is_refused_when_not_exempt(files, settings):
    settings.WEBHOOK_EXEMPT_HOSTS = []
    files.serve("/hero.png", PNG)
    with pytest.raises(FetchFailed) as refused:
        fetch(files.url("/hero.png"), max_bytes=10_000, timeout=2)
    assert not refused.value.retryable and refused.value.message.startswith("refused:")
    assert files.requests == []


def test_a_name_resolving_to_a_private_address_is_refused(files, settings, monkeypatch):
    settings.WEBHOOK_EXEMPT_HOSTS = []
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["192.168.1.20"])
    with pytest.raises(FetchFailed, match="192.168.1.20, which is not a public address"):
        fetch("https://cmp-assets.example.com/hero.png", max_bytes=10_000, timeout=2)


@pytest.mark.parametrize(("status", "retryable"), [(503, True), (429, True), (404, True), (403, False), (410, False)])
def test_an_error_answer_says_whether_to_try_again(files, status, retryable):
    files.fail("/hero.png", status)
    with pytest.raises(FetchFailed) as failed:
        fetch(files.url("/hero.png"), max_bytes=10_000, timeout=2)
    assert failed.value.retryable is retryable and str(status) in failed.value.message


def test_nothing_listening_is_retryable(files):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchFailed) as failed:
        fetch(f"http://127.0.0.1:{port}/hero.png", max_bytes=10_000, timeout=2)
    assert failed.value.retryable
