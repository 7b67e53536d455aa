"""A canary token sent through every error path of `mlmon diff`/`apply`, with and without --debug:
it reaches the server, and no part of it is ever printed."""

from __future__ import annotations

import pytest
from remote_fixtures import FRAUD_V1, FRAUD_V2, make_generated
from typer.testing import CliRunner

from helpers.servers import Fault, start_prometheus
from mlmon.app import app

pytestmark = pytest.mark.e2e

CANARY = "cnry7Qx2ZpL9wV4mK8sJ3tR6yB1nD5fH"


@pytest.fixture(scope="module")
def prom(tmp_path_factory):
    cfg = tmp_path_factory.mktemp("prom")
    handle = start_prometheus(cfg)
    try:
        yield handle, cfg
    finally:
        handle.cleanup()


def leaked(text: str) -> list[str]:
    """Every 6-character piece of the canary found in ``text`` (a prefix cut by truncation included)."""
    return sorted({CANARY[i : i + 6] for i in range(len(CANARY) - 5) if CANARY[i : i + 6] in text})


ECHO = f"Authorization: Bearer {CANARY}".encode()
SCENARIOS = {
    # the header echoed in an error body, placed where a 300-character cut falls inside the token
    "401 echoing the header": ("diff", [Fault("GET", "/api/v1/status/config", "status", status=401, body=b"x" * 280 + b" " + ECHO + b" more")]),
    "reload 500 echoing the header": ("apply", [Fault("POST", "/-/reload", "status", status=500, body=ECHO)]),
    # a server answer that makes mlmon fail unexpectedly with the token in the exception text
    "internal error": (
        "diff",
        [
            Fault(
                "GET",
                "/api/v1/status/config",
                "rewrite",
                rewrite=lambda body: (
                    b'{"status":"success","data":{"yaml":"rule_files: [mlmon/rules/*.rules.yml]\\nglobal: {evaluation_interval: ' + CANARY.encode() + b'}"}}'
                ),
            )
        ],
    ),
    "timeout": ("diff", [Fault("GET", "/api/v1/rules", "delay", seconds=1.0)]),
    "works": ("apply", []),
}


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_canary_token_never_printed(prom, servers, tmp_path, scenario, debug):
    handle, cfg = prom
    command, faults = SCENARIOS[scenario]
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V2 if command == "apply" else FRAUD_V1})
    proxy = servers.proxy(handle.url, faults)
    args = [command, "--generated", gen, "--prometheus", proxy.url, "--prometheus-config-dir", cfg, "--state-dir", tmp_path / "s", "--timeout", "0.5"]
    args += ["--yes"] if command == "apply" else []
    env = {"MLMON_PROMETHEUS_TOKEN": CANARY + "\n"}  # as read from a Kubernetes secret or a token file
    args.insert(1, "--debug") if debug else None  # after the command: as good as before it
    r = CliRunner().invoke(app, list(map(str, args)), env=env)
    text = r.stdout + r.stderr
    assert {h.get("Authorization") for _, _, h in proxy.requests} == {f"Bearer {CANARY}"}  # sent, without the line break
    assert leaked(text) == [], text
    if scenario == "works":
        assert r.exit_code == 0, text
    else:
        assert r.exit_code != 0, text
    if scenario == "internal error":
        assert r.exit_code == 3 and ("Traceback" in text) == debug


def test_token_with_a_break_inside_is_refused_without_showing_it(tmp_path):
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1})
    env = {"MLMON_PROMETHEUS_TOKEN": CANARY[:16] + "\n" + CANARY[16:] + "\n"}
    r = CliRunner().invoke(app, ["diff", "--generated", str(gen), "--prometheus", "http://127.0.0.1:1"], env=env)
    assert r.exit_code == 2 and "MLMON_PROMETHEUS_TOKEN has a line break or a space inside" in r.stderr
    assert leaked(r.stdout + r.stderr) == []


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_canary_token_from_a_token_file_never_printed(prom, servers, tmp_path, monkeypatch, debug):
    """The same token read from a file a context names (ending in a line break, like a mounted secret)."""
    handle, cfg = prom
    proxy = servers.proxy(handle.url, SCENARIOS["401 echoing the header"][1])
    (tmp_path / "token").write_text(CANARY + "\n")
    (tmp_path / "contexts.yaml").write_text(f"contexts:\n  ci:\n    prometheus: {{url: '{proxy.url}', token_file: token}}\n")
    monkeypatch.setenv("MLMON_CONTEXTS", str(tmp_path / "contexts.yaml"))
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1})
    r = CliRunner().invoke(app, ["diff", *(["--debug"] if debug else []), "--context", "ci", "--generated", str(gen)])
    assert r.exit_code == 2
    assert {h.get("Authorization") for _, _, h in proxy.requests} == {f"Bearer {CANARY}"}
    assert leaked(r.stdout + r.stderr) == [], r.stderr
