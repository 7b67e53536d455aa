"""`mlmon registry sync` and `mlmon registry serve` against a real `mlflow server` (SQLite,
MLflow's basic-auth app, 127.0.0.1), and the exporter scraped by a real Prometheus.

One server per test session (``xdist_group``: one worker runs these tests); each test that
changes the registry works on a registered model of its own."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

from tests.conftest import mlmon_bin
from tests.helpers.servers import _http_status, free_port
from tests.registry.mlflow_server import ADMIN, CHURN, CHURN_RUNS, CREDIT_RISK, CREDIT_RUNS, MlflowServer, client, credentials, register, seed
from tests.registry.specs import write_spec

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("mlflow")]
C_INFO = "mlmon_model_info"


@dataclass(frozen=True)
class Registry:
    url: str
    password: str

    def env(self, password: str | None = None) -> dict[str, str]:
        return {"MLFLOW_TRACKING_USERNAME": ADMIN, "MLFLOW_TRACKING_PASSWORD": password or self.password}


@pytest.fixture(scope="module")  # stopped when this module is done, not at the end of the run
def registry(tmp_path_factory):
    pytest.importorskip("mlflow", reason="the test extra installs mlflow (make venv)")
    password = secrets.token_hex(12)
    server = MlflowServer.start(tmp_path_factory.mktemp("mlflow"), password=password)
    try:
        with credentials(password):
            seed(server.url)
        yield Registry(server.url, password)
    finally:
        server.stop()


def spec_file(tmp_path: Path, registry: str, models: list[str], extra: str = "") -> Path:
    return write_spec(tmp_path, registry, "\n".join(f"- {{id: {m}, team: credit{extra}}}" for m in models))


def mlmon(run_mlmon, *args, env=None):
    return run_mlmon(*args, env={"MLFLOW_TRACKING_URI": "", **(env or {})}, timeout=300)


def test_sync_writes_the_facts_once_and_generate_stays_byte_stable(registry, tmp_path, run_mlmon):
    spec = spec_file(
        tmp_path,
        f"""
        mlflow_uri: {registry.url}
        file: registry/lending.yaml
        models:
          credit-risk: {{metrics: {{auc: val_auc, f1: val_f1}}}}
          churn: {{}}
        """,
        [CREDIT_RISK, CHURN],
    )
    r = mlmon(run_mlmon, "registry", "sync", spec, env=registry.env())
    assert r.returncode == 0, r.stdout + r.stderr
    path = tmp_path / "specs" / "registry" / "lending.yaml"
    text = path.read_text()
    data = yaml.safe_load(text)["models"]
    cr = data[CREDIT_RISK]
    assert (cr["version"], cr["stage"], cr["previous_version"]) == ("2", "champion", "1")
    assert cr["versions"]["2"]["training_metrics"] == {"auc": CREDIT_RUNS[1]["val_auc"], "f1": CREDIT_RUNS[1]["val_f1"]}
    assert cr["versions"]["2"]["aliases"] == ["champion"]
    with credentials(registry.password):
        c = client(registry.url)
        run = c.get_run(c.get_model_version(CREDIT_RISK, "2").run_id)
    assert cr["versions"]["2"]["trained_at"] == run.info.end_time // 1000
    churn = data[CHURN]
    assert (churn["version"], churn["stage"], churn.get("previous_version")) == ("1", "production", None)
    assert churn["versions"]["1"]["stage"] == "Production" and churn["versions"]["1"]["training_metrics"] == CHURN_RUNS[0]
    # a second sync changes nothing; --check agrees
    r = mlmon(run_mlmon, "registry", "sync", spec, env=registry.env())
    assert r.returncode == 0 and "unchanged" in r.stderr and path.read_text() == text
    r = mlmon(run_mlmon, "registry", "sync", spec, "--check", env=registry.env())
    assert r.returncode == 0 and r.stdout == "", r.stdout + r.stderr
    # generate reads the file; --check afterwards is byte-stable
    out = tmp_path / "generated"
    r = mlmon(run_mlmon, "generate", spec, "-o", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "vector(" in (out / "prometheus/rules/credit-risk.versions.rules.yml").read_text()
    r = mlmon(run_mlmon, "generate", spec, "-o", out, "--check")
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_promotion_shows_in_check_then_sync_keeps_the_previous_version(registry, tmp_path, run_mlmon):
    name = "promotion-sync"
    with credentials(registry.password):
        register(registry.url, name, ({"f1": 0.7}, {"f1": 0.72}, {"f1": 0.75}))
        client(registry.url).set_registered_model_alias(name, "champion", "1")
    spec = spec_file(tmp_path, f"mlflow_uri: {registry.url}\nfile: registry/lending.yaml\nmodels: {{scorer: {{name: {name}}}}}", ["scorer"])
    assert mlmon(run_mlmon, "registry", "sync", spec, env=registry.env()).returncode == 0
    path = tmp_path / "specs" / "registry" / "lending.yaml"
    before = path.read_text()
    assert "previous_version" not in before
    with credentials(registry.password):
        client(registry.url).set_registered_model_alias(name, "champion", "3")
    r = mlmon(run_mlmon, "registry", "sync", spec, "--check", env=registry.env())
    assert r.returncode == 1
    assert "-    version: '1'" in r.stdout and "+    version: '3'" in r.stdout and "MLM254" in r.stdout
    assert path.read_text() == before
    assert mlmon(run_mlmon, "registry", "sync", spec, env=registry.env()).returncode == 0
    data = yaml.safe_load(path.read_text())["models"]["scorer"]
    assert (data["version"], data["previous_version"]) == ("3", "1")


def test_registry_errors_are_clear_and_change_nothing(registry, tmp_path, run_mlmon):
    spec = spec_file(tmp_path, f"mlflow_uri: {registry.url}\nfile: registry/lending.yaml", [CREDIT_RISK])
    assert mlmon(run_mlmon, "registry", "sync", spec, env=registry.env()).returncode == 0
    path = tmp_path / "specs" / "registry" / "lending.yaml"
    good = path.read_text()
    # an unknown registered model: exit 1, the closest name as a hint
    spec = spec_file(tmp_path, f"mlflow_uri: {registry.url}\nfile: registry/lending.yaml\nmodels: {{credit-risk: {{name: credit-riks}}}}", [CREDIT_RISK])
    r = mlmon(run_mlmon, "registry", "sync", spec, env=registry.env())
    assert r.returncode == 1, r.stdout + r.stderr
    assert (
        f"{spec}:10:12: error: registry.models.credit-risk: registered model 'credit-riks' not found in MLflow at {registry.url}; did you mean 'credit-risk'? [MLM253]"
        in r.stdout
    )
    assert "nothing written" in r.stderr and path.read_text() == good
    # no credentials, a wrong password: exit 2, the password never printed
    spec = spec_file(tmp_path, f"mlflow_uri: {registry.url}\nfile: registry/lending.yaml", [CREDIT_RISK])
    wrong = "wrong-" + secrets.token_hex(6)
    for env in ({"MLFLOW_TRACKING_USERNAME": "", "MLFLOW_TRACKING_PASSWORD": ""}, registry.env(wrong)):
        r = mlmon(run_mlmon, "registry", "sync", spec, env=env)
        assert r.returncode == 2, r.stdout + r.stderr
        assert "HTTP 401 (authentication failed)" in r.stdout and "MLFLOW_TRACKING_USERNAME" in r.stdout and "[MLM252]" in r.stdout
        assert wrong not in r.stdout + r.stderr and registry.password not in r.stdout + r.stderr
        assert path.read_text() == good
    # nothing listening
    r = mlmon(run_mlmon, "registry", "sync", spec, "--mlflow-uri", f"http://127.0.0.1:{free_port()}", env=registry.env())
    assert r.returncode == 2 and "connection refused" in r.stdout and path.read_text() == good
    # an existing file that is not a registry file: reported inside it, left as it is
    path.write_text("kind: Baseline\n")
    r = mlmon(run_mlmon, "registry", "sync", spec, env=registry.env())
    assert r.returncode == 1 and f"{path}:1:7: error: kind: must be 'ModelRegistry'" in r.stdout and path.read_text() == "kind: Baseline\n"


def _query(prom: str, q: str) -> list[dict]:
    r = requests.get(prom + "/api/v1/query", params={"query": q}, timeout=10)
    r.raise_for_status()
    return r.json()["data"]["result"]


def _until(what: str, check, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.5)
    raise AssertionError(f"not seen within {timeout:.0f}s: {what}")


def test_serve_a_promotion_reaches_prometheus_and_the_version_change_alert(registry, tmp_path, run_mlmon, servers):
    name = "promotion-serve"
    with credentials(registry.password):
        register(registry.url, name, ({"f1": 0.8}, {"f1": 0.82}))
        client(registry.url).set_registered_model_alias(name, "champion", "1")
    port = free_port()
    spec = spec_file(
        tmp_path,
        f"mlflow_uri: {registry.url}\nexporter: {{targets: ['127.0.0.1:{port}'], scrape_interval: 1s}}\nmodels: {{scorer: {{name: {name}}}}}",
        ["scorer"],
        ", versions: {change_event_for: 20s, previous_lookback: 5m}",
    )
    spec.write_text(spec.read_text().replace("registry:\n", "defaults: {evaluation_interval: 1s, scrape_interval: 1s}\nregistry:\n", 1))
    out = tmp_path / "generated"
    r = mlmon(run_mlmon, "generate", spec, "-o", out)
    assert r.returncode == 0, r.stdout + r.stderr
    config = yaml.safe_load((out / "prometheus" / "prometheus.yml").read_text())
    assert [j["job_name"] for j in config["scrape_configs"]] == ["mlmon-registry"]
    config.pop("alerting")
    rules = {p.name: p.read_text() for p in (out / "prometheus" / "rules").glob("*.yml")}
    prom_dir = tmp_path / "prom"
    (prom_dir / "rules").mkdir(parents=True)
    for fname, text in rules.items():
        (prom_dir / "rules" / fname).write_text(text)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "cli"), **registry.env()}
    argv = [*mlmon_bin(), "registry", "serve", str(spec), "--listen", f"127.0.0.1:{port}", "--interval", "1s"]
    exporter = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _until("the exporter", lambda: _http_status(f"http://127.0.0.1:{port}/-/healthy") == 200, 60)
        prom = servers.prometheus(prom_dir, config=yaml.safe_dump(config)).url
        _until("version 1 scraped", lambda: _query(prom, f'{C_INFO}{{model="scorer",version="1",stage="champion"}}'))
        assert _query(prom, 'mlmon_registry_up{job="mlmon-registry"} == 1')
        assert _query(prom, 'mlmon_model_training_metric{model="scorer",version="1",metric="f1"} == 0.8')
        # the previous version is searched at the lookback's resolution (1m steps): promote once version 1 is on such a step
        _until(
            "version 1 on a lookback step", lambda: _query(prom, 'last_over_time(mlmon_version:trained:timestamp_seconds{model="scorer",version="1"}[5m:1m])')
        )
        with credentials(registry.password):
            client(registry.url).set_registered_model_alias(name, "champion", "2")
        _until("version 2 scraped", lambda: _query(prom, f'{C_INFO}{{model="scorer",version="2"}}'))
        fired = _until(
            "MLModelVersionChanged for version 2",
            lambda: _query(prom, 'ALERTS{alertname="MLModelVersionChanged",model="scorer",version="2",alertstate="firing"}'),
        )
        assert fired[0]["metric"]["stage"] == "champion"
        _until("version 2 current, version 1 previous", lambda: _query(prom, 'mlmon_version:current:info{model="scorer",version="2"}'))
        _until("version 1 previous", lambda: _query(prom, 'mlmon_version:previous:info{model="scorer",version="1"}'))
    finally:
        exporter.terminate()
        try:
            exporter.wait(15)
        except subprocess.TimeoutExpired:
            exporter.kill()
            exporter.wait(5)
    assert exporter.returncode == 0, exporter.stderr.read() if exporter.stderr else ""
