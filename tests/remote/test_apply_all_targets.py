"""`mlmon apply` over all four targets at once: real Prometheus and Alertmanager, the Grafana
contract test server and the fake Mimir ruler. Fixed order, one plan, and an honest report when a
later target fails."""

from __future__ import annotations

import json
import os

import pytest
from remote_fixtures import AM_OLD, AM_V1, CHURN_V1, FRAUD_V1, live_am_config, live_prometheus_groups, make_generated
from typer.testing import CliRunner

from mlmon.app import app

pytestmark = pytest.mark.e2e

GRAFANA_TOKEN = "glsa-all-targets-7c1d9e"
TENANT = "team-a"


@pytest.fixture(autouse=True)
def _no_mlmon_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith("MLMON_") and k != "MLMON_GRAFANA_OPENAPI":
            monkeypatch.delenv(k)


@pytest.fixture
def grafana():
    from helpers.grafana_server import GrafanaTestServer, load_spec_or_skip

    with GrafanaTestServer(load_spec_or_skip(), tokens={GRAFANA_TOKEN: "Admin"}) as srv:
        yield srv
        assert srv.violations == []


@pytest.fixture
def mimir():
    from helpers.mimir_server import MimirTestServer

    with MimirTestServer() as srv:
        yield srv


def dashboard(uid: str, title: str) -> dict:
    return {
        "uid": uid,
        "title": title,
        "tags": ["model:fraud"],
        "schemaVersion": 41,
        "editable": True,
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": [
            {
                "id": 1,
                "type": "timeseries",
                "title": "Errors",
                "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
                "targets": [{"refId": "A", "expr": "sum(rate(mlmon_prediction_errors_total[5m]))"}],
            }
        ],
    }


def test_apply_all_four_in_order_then_a_later_failure_is_reported(servers, grafana, mimir, tmp_path):
    pcfg, amcfg = tmp_path / "prom", tmp_path / "am" / "alertmanager.yml"
    prom = servers.prometheus(pcfg)
    am = servers.alertmanager(amcfg, config=AM_OLD)
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1, "churn.rules.yml": CHURN_V1}, AM_V1)
    (gen / "grafana" / "dashboards").mkdir(parents=True)
    (gen / "grafana" / "dashboards" / "fraud.json").write_text(json.dumps(dashboard("mlmon-fraud", "fraud-detector")))
    env = {
        "MLMON_PROMETHEUS_URL": prom.url,
        "MLMON_PROMETHEUS_CONFIG_DIR": str(pcfg),
        "MLMON_ALERTMANAGER_URL": am.url,
        "MLMON_ALERTMANAGER_CONFIG": str(amcfg),
        "MLMON_GRAFANA_URL": grafana.url,
        "MLMON_GRAFANA_TOKEN": GRAFANA_TOKEN,
        "MLMON_MIMIR_URL": mimir.url,
        "MLMON_MIMIR_TENANT": TENANT,
    }
    runner = CliRunner()
    args = ["--generated", str(gen), "--state-dir", str(tmp_path / "s")]

    r = runner.invoke(app, ["diff", "--format", "json", *args], env=env, catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    assert [t["target"] for t in json.loads(r.stdout)["targets"]] == ["prometheus", "alertmanager", "grafana", "mimir"]

    r = runner.invoke(app, ["apply", "--yes", "--force", *args], env=env, catch_exceptions=False)  # --force: takes over alertmanager.yml
    assert r.exit_code == 0, r.stderr
    assert "applied: prometheus, alertmanager, grafana, mimir" in r.stderr
    assert GRAFANA_TOKEN not in r.stdout + r.stderr
    assert "mlmon-fraud-detector-slo" in live_prometheus_groups(prom.url)
    assert "slack-risk-ml" in [x["name"] for x in live_am_config(am.url)["receivers"]]
    assert "mlmon-fraud" in grafana.dashboards
    assert set(mimir.snapshot(TENANT)) == {"mlmon-fraud", "mlmon-churn"}

    r = runner.invoke(app, ["diff", "--exit-code", *args], env=env, catch_exceptions=False)
    assert r.exit_code == 0, r.stdout + r.stderr

    # next change: Grafana refuses the save; prometheus and alertmanager, applied before it, are
    # rolled back too (--atomic, the default), grafana is rolled back, mimir is never attempted
    make_generated(gen, {"fraud.rules.yml": FRAUD_V1}, AM_V1.replace("repeat_interval: 4h", "repeat_interval: 6h"))
    (gen / "grafana" / "dashboards" / "fraud.json").write_text(json.dumps(dashboard("mlmon-fraud", "fraud-detector v2")))
    grafana.add_fault("status", method="POST", path="^/api/dashboards/db", status=500, times=5)
    r = runner.invoke(app, ["apply", "--yes", *args], env=env, catch_exceptions=False)
    assert r.exit_code in (1, 2), r.stderr
    assert "apply stopped. applied: none; rolled back (--atomic): prometheus, alertmanager; grafana:" in r.stderr
    assert "not attempted: mimir" in r.stderr
    assert set(live_prometheus_groups(prom.url)) == {"mlmon-fraud-detector-slo", "mlmon-churn-drift"}
    assert live_am_config(am.url)["route"]["repeat_interval"] == "4h"
    assert grafana.dashboards["mlmon-fraud"].json["title"] == "fraud-detector"
    assert set(mimir.snapshot(TENANT)) == {"mlmon-fraud", "mlmon-churn"}  # untouched

    # a failure in the last target undoes Grafana's saves too (--atomic): every server ends where it was
    grafana.faults.clear()
    before = grafana.snapshot()
    mimir.add_fault("status", method="POST", status=500, times=1)
    (gen / "prometheus" / "rules" / "fraud.rules.yml").write_text(FRAUD_V1.replace("for: 2m", "for: 3m"))
    r = runner.invoke(app, ["apply", "--yes", *args], env=env, catch_exceptions=False)
    assert r.exit_code == 1, r.stderr
    assert "rolled back (--atomic): prometheus, alertmanager, grafana; mimir: rolled back" in r.stderr
    assert grafana.snapshot() == before
    assert live_am_config(am.url)["route"]["repeat_interval"] == "4h"
