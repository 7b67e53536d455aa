"""TLS mistakes each get one sentence with the fix: https:// to a plain-HTTP server, http:// to a TLS
server, a certificate from an unknown CA. Real Prometheus with and without TLS on 127.0.0.1."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from remote_fixtures import FRAUD_V1, make_generated
from typer.testing import CliRunner

from helpers.servers import start_prometheus
from mlmon.app import app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make the test certificate (Debian: apt-get install openssl)")
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return d / "cert.pem", d / "key.pem"


@pytest.fixture(scope="module")
def tls_prom(tmp_path_factory, certs):
    handle = start_prometheus(tmp_path_factory.mktemp("prom-tls"), tls=certs)
    try:
        yield handle
    finally:
        handle.cleanup()


def diff(tmp_path, url, env=None):
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1})
    r = CliRunner().invoke(app, ["diff", "--generated", str(gen), "--prometheus", url], env=env or {})
    return r.exit_code, r.stdout, r.stderr


def one_sentence(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and " ..." not in lines[0] and "Traceback" not in lines[0], err
    return lines[0]


def test_http_to_a_tls_server(tls_prom, tmp_path):
    plain = tls_prom.url.replace("https://", "http://")
    code, _, err = diff(tmp_path, plain)
    assert code == 2
    assert one_sentence(err).endswith(f"the server speaks TLS (HTTPS) at this address: use {tls_prom.url}")


def test_unknown_ca_then_the_ca_file(tls_prom, certs, tmp_path):
    code, _, err = diff(tmp_path, tls_prom.url)
    assert code == 2
    assert one_sentence(err).endswith(
        "the server's TLS certificate is not trusted (self-signed certificate): set MLMON_PROMETHEUS_CA_FILE to the CA bundle that signed it"
    )
    code, out, err = diff(tmp_path, tls_prom.url, env={"MLMON_PROMETHEUS_CA_FILE": str(certs[0])})
    assert code == 0, err
    assert "+ rule_group mlmon-fraud-detector-slo" in out


def test_https_to_a_plain_server(servers, tmp_path):
    prom = servers.prometheus(tmp_path / "prom")
    secure = prom.url.replace("http://", "https://")
    code, _, err = diff(tmp_path, secure)
    assert code == 2
    assert one_sentence(err).endswith(f"the server does not speak TLS at this address: use {prom.url}")
