"""The URL rules: every form of a non-public address is refused, at save and again at send; a public name passes."""

import pytest

from integrations.outbound.models import OutboundAttempt, OutboundDelivery
from integrations.outbound.services import outbound_delivery_attempt, outbound_endpoint_create
from integrations.webhooks.addresses import AddressRefused, check_url, is_public_address
from tests.factories import default_organisation

from .conftest import approve

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"

REFUSED_WITHOUT_DNS = [
    ("http://hooks.partner.example/tracker", "must use https"),
    ("ftp://hooks.partner.example/tracker", "must start with https"),
    ("hooks.partner.example/tracker", "must start with https"),
    ("https://2130706433/", "not an IP address"),  # decimal 127.0.0.1
    ("http://2130706433/", "must use https"),
    ("https://0x7f.1/", "not an IP address"),
    ("https://0x7f000001/", "not an IP address"),
    ("https://0177.0.0.1/", "not an IP address"),
    ("https://127.1/", "not an IP address"),
    ("https://127.0.0.1/", "not an IP address"),
    ("https://127.0.0.1.:8443/", "not an IP address"),
    ("https://0/", "not an IP address"),
    ("https://10.0.0.1/", "not an IP address"),
    (f"https://{PUBLIC_V4}/", "not an IP address"),  # even a public one: a name, always
    ("https://[::1]/", "not an IP address"),
    ("https://[::ffff:127.0.0.1]/", "not an IP address"),
    ("https://[::ffff:7f00:1]/", "not an IP address"),
    ("https://[fe80::1%25eth0]/", "not an IP address"),
    ("https://１２７.０.０.１/", "not an IP address"),  # full-width digits fold to 127.0.0.1
    ("https://localhost/", "no localhost names"),
    ("https://LOCALHOST./", "no localhost names"),
    ("https://api.localhost/", "no localhost names"),
    ("https://printer.local/", "no local names"),
    ("https://db.internal/", "no internal names"),
    ("https://metadata.google.internal/computeMetadata/v1/", "not allowed"),
    ("https://metadata/computeMetadata/v1/", "not allowed"),
    ("https://localtest.me/", "no localtest.me names"),
    ("https://anything.localtest.me/", "no localtest.me names"),
    ("https://fuf.me/", "no fuf.me names"),
    ("https://x.ulh.us/", "no ulh.us names"),
    ("https://10.0.0.1.nip.io/", "no nip.io names"),
    ("https://127-0-0-1.sslip.io/", "no sslip.io names"),
    ("https://abc.burpcollaborator.net/", "no burpcollaborator.net names"),
    ("https://ram.aliyuncs.com/", "no ram.aliyuncs.com names"),
    ("https://tracker.example.com/hooks", "no tracker.example.com names"),  # ourselves (TRACKER_PUBLIC_URL)
    ("https://intranet/hook", "not a public domain name"),
    ("https://user:secret@hooks.partner.example/", "user name or password"),
    ("https://hooks.partner.example\\@127.0.0.1/", "backslashes"),
    ("https://hooks.partner.example:99999/", "cannot be read"),
    ("https://hooks_partner.example/", "not a valid domain name"),
    ("", "enter the endpoint's URL"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED_WITHOUT_DNS)
def test_refused_before_any_lookup(url, reason, dns, settings):
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = []
    with pytest.raises(AddressRefused) as refused:
        check_url(url)
    assert reason in refused.value.message
    assert dns.calls == []


REFUSED_BY_DNS = [
    ["10.0.0.1"],
    ["172.16.5.4"],
    ["192.168.1.10"],
    ["127.0.0.1"],
    ["0.0.0.0"],
    ["169.254.169.254"],  # cloud metadata, link-local
    ["100.64.0.1"],  # CGNAT
    ["224.0.0.1"],  # multicast
    ["240.0.0.1"],  # reserved
    ["192.0.2.10"],  # documentation
    ["198.18.0.1"],  # benchmarking
    [PUBLIC_V4, "192.168.1.10"],  # one private answer is enough
    ["::1"],
    ["::ffff:10.0.0.1"],
    ["fd00::1"],  # unique local
    ["fe80::1"],
    ["ff02::1"],
    ["2002:c0a8:0101::1"],  # 6to4 around 192.168.1.1
    ["64:ff9b::7f00:1"],  # NAT64 around 127.0.0.1
]


@pytest.mark.parametrize("answers", REFUSED_BY_DNS, ids=lambda a: ",".join(a))
def test_a_name_that_resolves_to_a_non_public_address_is_refused(answers, dns):
    dns["hooks.partner.example"] = answers
    with pytest.raises(AddressRefused) as refused:
        check_url("https://hooks.partner.example/tracker")
    assert "which is not a public address" in refused.value.message


def test_a_name_that_does_not_resolve_is_refused(dns):
    with pytest.raises(AddressRefused, match="cannot be resolved"):
        check_url("https://nowhere.partner.example/")


@pytest.mark.parametrize("answers", [[PUBLIC_V4], [PUBLIC_V6], [PUBLIC_V6, PUBLIC_V4]])
def test_a_public_name_is_accepted_and_its_first_checked_address_is_where_to_connect(answers, dns):
    dns["hooks.partner.example"] = answers
    target, address = check_url("https://Hooks.Partner.Example:8443/tracker?source=studio")
    assert (target.host, target.port, target.path, address) == (
        "hooks.partner.example",
        8443,
        "/tracker?source=studio",
        answers[0],
    )
    assert target.host_header == "hooks.partner.example:8443"


def test_an_international_name_is_sent_as_punycode(dns):
    dns["xn--bcher-kva.example"] = [PUBLIC_V4]
    target, _ = check_url("https://bücher.example/hook")
    assert target.host == "xn--bcher-kva.example"


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses(address):
    assert is_public_address(address)


def test_the_rules_are_checked_when_an_endpoint_is_saved(dns, admin_user):
    dns["rebind.partner.example"] = ["10.0.0.1"]
    with pytest.raises(AddressRefused) as refused:
        outbound_endpoint_create(
            organisation=default_organisation(),
            actor=admin_user,
            url="https://rebind.partner.example/hook",
            all_events=True,
        )
    assert refused.value.extra == {"field": "url"}


def test_the_rules_are_checked_again_at_every_send(dns, admin_user, deliverable):
    dns["hooks.partner.example"] = [PUBLIC_V4]
    outbound_endpoint_create(
        organisation=default_organisation(),
        actor=admin_user,
        url="https://hooks.partner.example/x",
        events=["deliverable.approved"],
    )
    dns["hooks.partner.example"] = ["10.0.0.1"]  # the name now points inside
    approve(deliverable)
    delivery = OutboundDelivery.objects.get()
    outbound_delivery_attempt(delivery_id=delivery.pk)

    attempt = OutboundAttempt.objects.get()
    assert attempt.status_code is None and attempt.address == ""
    assert attempt.error.startswith("refused: the host 'hooks.partner.example' resolves to 10.0.0.1")


def test_exempt_hosts_are_only_those_listed(settings, dns):
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = []
    with pytest.raises(AddressRefused):
        check_url("http://127.0.0.1:8000/hook")
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = ["127.0.0.1"]
    target, address = check_url("http://127.0.0.1:8000/hook")
    assert (target.exempt, address) == (True, "127.0.0.1")
