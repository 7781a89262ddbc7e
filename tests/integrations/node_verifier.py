"""Seed 004's Node verifier, verbatim, and the way to run it: the outbound tests prove our own X-Tracker-Signature
passes it, the Optumus adapter's tests that it and our receiver agree on every fixture."""

import json
import shutil
import subprocess

import pytest

from tests.conftest import REQUIRE_SERVICES

# Verbatim from seed 004 ("Signature verification", Node example).
SEED_004_NODE = """\
import crypto from 'crypto';

function verify(rawBody, signatureHeader, timestampHeader, secret) {
  const expected = crypto
    .createHmac('sha256', secret)
    .update(`${timestampHeader}.${rawBody}`)
    .digest('hex');
  const sig = signatureHeader.replace('sha256=', '');
  return crypto.timingSafeEqual(
    Buffer.from(sig, 'hex'),
    Buffer.from(expected, 'hex'),
  );
}
"""


def run_node_module(code: str, stdin: dict):
    """Run `code` as an ES module with `stdin` as JSON on its standard input; returns the JSON it prints."""
    node = shutil.which("node")
    if node is None:
        if REQUIRE_SERVICES:
            pytest.fail("node is needed for the Node examples and CI requires it")
        pytest.skip("node is not installed")
    result = subprocess.run(
        [node, "--input-type=module", "-e", code],
        input=json.dumps(stdin),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
