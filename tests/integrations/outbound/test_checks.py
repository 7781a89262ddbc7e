"""The system check: hosts exempt from the URL rules are a warning, for production to notice."""

from integrations.outbound.checks import check_exempt_hosts


def test_exempt_hosts_are_a_warning(settings):
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = ["127.0.0.1", "localhost"]
    (warning,) = check_exempt_hosts(None)
    assert warning.id == "outbound.W001" and "127.0.0.1, localhost" in warning.msg


def test_the_shared_name_is_a_warning_too(settings):
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = []
    settings.WEBHOOK_EXEMPT_HOSTS = ["files.test"]
    (warning,) = check_exempt_hosts(None)
    assert "files.test" in warning.msg


def test_no_exempt_hosts_no_warning(settings):
    settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS = []
    settings.WEBHOOK_EXEMPT_HOSTS = []
    assert check_exempt_hosts(None) == []
