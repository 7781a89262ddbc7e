"""The HTTP client: it connects to the address it checked (one lookup per attempt), sends the URL's name in Host and
TLS SNI, verifies the certificate against that name, ignores proxies, and reads at most 4 KB of the answer."""

import datetime
import ipaddress
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from integrations.webhooks import http as client

from .receiver import Receiver


def _self_signed(tmp_path, name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_file), str(key_file)


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An https receiver on 127.0.0.1 whose certificate names receiver.test; the client trusts only that cert."""
    cert, key = _self_signed(tmp_path, "receiver.test")
    server = Receiver(tls=(cert, key)).start()

    def trusting() -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=cert)
        return context

    monkeypatch.setattr(client, "tls_context", trusting)
    yield server
    server.stop()


def test_https_goes_to_the_checked_address_with_the_name_in_sni_and_host(tls_receiver, dns, settings):
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = ["receiver.test"]
    dns["receiver.test"] = ["127.0.0.1"]
    answer = client.post(f"https://receiver.test:{tls_receiver.port}/hooks/tracker", body=b"{}", headers={}, timeout=2)
    assert answer.ok and answer.address == "127.0.0.1", answer.error
    assert tls_receiver.server_names == ["receiver.test"]
    assert tls_receiver.requests[0].header("Host") == f"receiver.test:{tls_receiver.port}"
    assert dns.calls == ["receiver.test"]


def test_a_certificate_for_another_name_is_refused(tls_receiver, dns, settings):
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = ["other.test"]
    dns["other.test"] = ["127.0.0.1"]
    answer = client.post(f"https://other.test:{tls_receiver.port}/hooks", body=b"{}", headers={}, timeout=2)
    assert answer.status_code is None and answer.error.startswith("TLS certificate not accepted")
    assert tls_receiver.requests == []


def test_one_lookup_per_attempt_and_the_connection_goes_where_it_pointed(receiver, dns, settings):
    """DNS rebinding: the second answer for the name would point elsewhere; it is never asked for."""
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = ["rebinding.test"]
    answers = iter([["127.0.0.1"], ["192.0.2.1"]])
    dns["rebinding.test"] = lambda: next(answers)
    answer = client.post(f"http://rebinding.test:{receiver.port}/hooks", body=b"{}", headers={}, timeout=2)
    assert answer.ok and dns.calls == ["rebinding.test"]
    assert receiver.requests[0].header("Host") == f"rebinding.test:{receiver.port}"


def test_proxies_in_the_environment_are_not_used(receiver, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://192.0.2.1:3128")
    monkeypatch.setenv("http_proxy", "http://192.0.2.1:3128")
    answer = client.post(receiver.url, body=b"{}", headers={}, timeout=2)
    assert answer.ok and len(receiver.requests) == 1


def test_only_the_first_4_kb_of_the_answer_is_kept(receiver):
    receiver.answer(200, body=b"x" * 100_000)
    answer = client.post(receiver.url, body=b"{}", headers={}, timeout=2)
    assert answer.ok and len(answer.body) == 4096


def test_nothing_listening_is_an_error_not_an_exception(receiver):
    url = receiver.url
    receiver.stop()
    answer = client.post(url, body=b"{}", headers={}, timeout=2)
    assert answer.status_code is None and "ConnectionRefusedError" in answer.error


def test_the_checked_address_is_an_ip_the_rules_accept(dns):
    dns["hooks.partner.example"] = ["10.1.2.3"]
    answer = client.post("https://hooks.partner.example/x", body=b"{}", headers={}, timeout=2)
    assert answer.refused and answer.error.startswith("refused:") and answer.address == ""
    assert ipaddress.ip_address("10.1.2.3").is_private
