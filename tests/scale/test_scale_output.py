"""The scale-out output of tests/golden/scale/spec.yaml: Thanos rule files equal the Prometheus
ones apart from partial_response_strategy, the split drift groups still pass their rule tests,
remote_write blocks keep only mlmon's series and name credentials by file only, and promtool
accepts every Prometheus config mlmon writes."""

import re
import shutil
import subprocess

import pytest
import yaml

from mlmon import conventions as C
from tests.conftest import REPO, mlmon_bin, need_tool

SPEC = REPO / "tests" / "golden" / "scale" / "spec.yaml"
EXPECTED = REPO / "tests" / "golden" / "scale" / "expected"


def _groups(path):
    return yaml.safe_load(path.read_text())["groups"]


def test_thanos_rule_files_are_the_prometheus_groups_plus_the_strategy():
    prom = sorted((EXPECTED / "prometheus" / "rules").glob("*.rules.yml"))
    thanos = sorted((EXPECTED / "thanos" / "rules").glob("*.rules.yml"))
    assert [p.name for p in prom] == [p.name for p in thanos] and prom
    for p, t in zip(prom, thanos):
        tg = _groups(t)
        assert {g.pop("partial_response_strategy") for g in tg} == {"warn"}
        assert tg == _groups(p), t.name


@pytest.mark.tools
def test_promtool_rejects_the_thanos_field_so_the_files_are_separate(tmp_path):
    promtool = need_tool("promtool")
    f = next((EXPECTED / "thanos" / "rules").glob("*.rules.yml"))
    r = subprocess.run([promtool, "check", "rules", str(f)], capture_output=True, text=True)
    assert r.returncode == 1 and "partial_response_strategy" in r.stdout + r.stderr


def test_wide_drift_groups_are_split_at_the_limit():
    groups = _groups(EXPECTED / "prometheus" / "rules" / "ranker.drift.rules.yml")
    assert max(len(g["rules"]) for g in groups) <= 20
    names = [g["name"] for g in groups]
    assert names.index("mlmon-ranker-drift-shard-1") < names.index("mlmon-ranker-drift")
    # the promtool tests evaluate the shards first, so they compute what one group would
    test = yaml.safe_load((EXPECTED / "prometheus" / "tests" / "ranker.drift.test.yml").read_text())
    assert test["group_eval_order"] == names


def test_remote_write_keeps_only_mlmons_series_and_names_credentials_by_file():
    prom = yaml.safe_load((EXPECTED / "prometheus" / "prometheus.yml").read_text())
    assert prom["global"]["external_labels"] == {"cluster": "eu-1", "replica": "a"}
    rw = {b["name"]: b for b in prom["remote_write"]}
    assert sorted(rw) == ["amp", "elasticsearch", "influxdb", "mimir", "splunk", "telegraf"]
    keep = rw["mimir"]["write_relabel_configs"][0]
    assert keep["action"] == "keep" and keep["source_labels"] == ["__name__"]
    pattern = re.compile(keep["regex"])
    for name in ["mlmon_drift:feature:score", "ALERTS", "ALERTS_FOR_STATE", "mlmon_predictions_total"]:
        assert pattern.fullmatch(name), name
    for name in ["mlmon_feature_bin_total", "up", "node_cpu_seconds_total"]:
        assert not pattern.fullmatch(name), name
    assert "write_relabel_configs" not in rw["amp"] and rw["amp"]["sigv4"] == {"region": "eu-west-1"}
    assert rw["mimir"]["basic_auth"] == {"username": "search", "password_file": "/run/secrets/mimir-password"}
    assert rw["influxdb"]["authorization"]["credentials_file"].startswith("/run/secrets/")
    text = (EXPECTED / "prometheus" / "prometheus.yml").read_text()
    assert not re.search(r"\b(password|credentials|access_key|secret_key|bearer_token):", text)


def test_every_recorded_series_matches_the_remote_write_regex():
    names = set()
    for root in (REPO / "generated", *sorted((REPO / "tests" / "golden").glob("*/expected"))):
        for f in (root / "prometheus" / "rules").glob("*.yml"):
            names |= {r["record"] for g in _groups(f) for r in g["rules"] if "record" in r}
    assert names
    bad = sorted(n for n in names if not re.fullmatch(C.RECORDED_SERIES, n))
    assert bad == []


def test_objstore_has_no_credentials():
    data = yaml.safe_load((EXPECTED / "thanos" / "objstore.yml").read_text())
    assert data == {
        "type": "S3",
        "config": {"bucket": "metrics-long-term", "endpoint": "s3.eu-west-1.amazonaws.com", "region": "eu-west-1"},
        "prefix": "prometheus",
    }


@pytest.mark.tools
def test_promtool_accepts_every_remote_write_variant(tmp_path):
    """Every auth kind, queue field and TLS setting mlmon writes, through the real promtool check config."""
    promtool = need_tool("promtool")
    spec = SPEC.read_text().replace(
        "      sigv4: {region: eu-west-1}\n", "      sigv4: {region: eu-west-1, profile: metrics, role_arn: 'arn:aws:iam::1:role/w'}\n"
    )
    for f in ("ca.pem",):
        (tmp_path / f).write_text("")
    spec = spec.replace(
        "      recorded: true\n",
        f"      recorded: false\n      series: [up]\n      tls: {{ca_file: {tmp_path}/ca.pem, server_name: otel.internal}}\n"
        "      queue: {min_shards: 1, min_backoff: 30ms, max_backoff: 5s}\n",
    )
    (tmp_path / "spec.yaml").write_text(spec)
    shutil.copytree(SPEC.parent / "baselines", tmp_path / "baselines")
    r = subprocess.run(mlmon_bin() + ["generate", "spec.yaml", "-o", "out"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([promtool, "check", "config", "out/prometheus/prometheus.yml"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    rw = {b["name"]: b for b in yaml.safe_load((tmp_path / "out/prometheus/prometheus.yml").read_text())["remote_write"]}
    assert rw["splunk"]["write_relabel_configs"][0]["regex"] == "up" and rw["splunk"]["tls_config"]["server_name"] == "otel.internal"
