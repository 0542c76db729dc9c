"""Secrets that must be secret, and production behaviour that depends on settings: the SECRET_KEY check at
start-up, X-Forwarded-Proto believed only behind a configured proxy, HSTS preload only on request."""

import json

import pytest

from ptf_portal.env import secret_key_problem
from tests.test_foundation import run_manage

STRONG = "Zk3v9Qw-LmP2xR8tYb_Nc4Hd7Jf1Gs6Ua0Ve5Wi-Ox2Pq9Ry3Sz8Tn4Ul7Mk1Ja6Hb0Gc"
PROD = {"DEBUG": "0", "ALLOWED_HOSTS": "portal.example.org"}


@pytest.mark.parametrize("key,why", [
    ("change-me-to-a-long-random-string-of-at-least-50-characters", "published example"),
    ("short-but-random-Zk3v9Qw", "shorter than 50"),
    ("ab" * 40, "entropy"),
    ("abcdefghij" * 5, "entropy"),  # ten distinct characters, but a pattern
    ("", "required"),
])
def test_secret_key_weak_or_example_refuses_to_start_with_one_line(key, why, tmp_path):
    result = run_manage("check", SECRET_KEY=key, VAR_DIR=str(tmp_path), **PROD)
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: SECRET_KEY:") and why in lines[0]
    assert "secrets.token_urlsafe" in lines[0]  # it says how to make a good one


def test_secret_key_entropy_counts_a_repeated_pattern_once_and_passes_generated_keys():
    import secrets

    from django.core.management.utils import get_random_secret_key

    from ptf_portal.env import SECRET_KEY_MIN_ENTROPY_BITS, secret_key_entropy_bits

    assert secret_key_problem("abcdefghij" * 5) is not None
    assert secret_key_problem(secrets.token_urlsafe(12) * 5) is not None  # 16 random characters, five times
    assert secret_key_entropy_bits("abcdefghij" * 5) < 64
    for _ in range(200):
        assert secret_key_entropy_bits(secrets.token_urlsafe(50)) > 2 * SECRET_KEY_MIN_ENTROPY_BITS
        assert secret_key_problem(get_random_secret_key()) is None


def test_secret_key_strong_one_starts_and_development_needs_none(tmp_path):
    assert secret_key_problem(STRONG) is None
    assert run_manage("check", SECRET_KEY=STRONG, VAR_DIR=str(tmp_path), **PROD).returncode == 0
    assert run_manage("check", DEBUG="1", SECRET_KEY="", VAR_DIR=str(tmp_path)).returncode == 0


def test_secret_key_env_example_says_how_to_generate_one_and_holds_none():
    from tests.security.test_headers import ROOT

    text = (ROOT / ".env.example").read_text()
    assert "secrets.token_urlsafe" in text
    [line] = [line for line in text.splitlines() if line.startswith("SECRET_KEY=")]
    assert secret_key_problem(line.split("=", 1)[1]) is not None  # copying the example as is cannot start


PROBE = """
import json
from django.conf import settings
from django.test import Client
c = Client()
r = c.get('/healthz', headers={'host': 'portal.example.org', 'x-forwarded-proto': 'https'})
s = c.get('/healthz', secure=True, headers={'host': 'portal.example.org'})
print(json.dumps({'status': r.status_code, 'hsts': s.headers.get('Strict-Transport-Security', ''),
                  'proxy_header': getattr(settings, 'SECURE_PROXY_SSL_HEADER', None) is not None}))
"""


def _probe(tmp_path, **env):
    result = run_manage("shell", "-c", PROBE, SECRET_KEY=STRONG, VAR_DIR=str(tmp_path), **PROD, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_forwarded_proto_is_trusted_only_behind_a_configured_proxy(tmp_path):
    alone = _probe(tmp_path)
    assert not alone["proxy_header"] and alone["status"] == 301  # a client's own header does not make it HTTPS
    behind = _probe(tmp_path, TRUSTED_PROXY_COUNT="1")
    assert behind["proxy_header"] and behind["status"] == 200


def test_hsts_preload_only_when_a_setting_opts_in(tmp_path):
    assert "preload" not in _probe(tmp_path)["hsts"]
    assert "preload" in _probe(tmp_path, SECURE_HSTS_PRELOAD="1")["hsts"]


def test_check_deploy_stays_clean_with_the_new_settings(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=STRONG,
                        VAR_DIR=str(tmp_path), **PROD)
    assert result.returncode == 0, result.stdout + result.stderr
