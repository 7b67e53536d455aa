"""What generated/kubernetes/ holds: the same rules, scrape labels, routing and dashboards as the
plain files, Secrets by reference only, preset defaults, deterministic bytes."""

from __future__ import annotations

import shutil

import pytest

from mlmon import conventions as C
from mlmon import pipeline, presets
from mlmon.presets.kubernetes import SCRAPE
from mlmon.tools.kubernetes import check_object
from tests.conftest import REPO
from tests.helpers.specs import MINIMAL
from tests.kubernetes.k8s_util import GENERATED, GOLDEN, TREES, load, objects, of_kind, rule_file_groups, upstream_schemas

IDS = ["generated", "golden"]


@pytest.mark.parametrize("tree", TREES, ids=IDS)
def test_each_prometheus_rule_holds_exactly_its_models_rule_files(tree):
    rules = of_kind(tree, "PrometheusRule")
    files = rule_file_groups(tree)
    assert sorted(r["metadata"]["labels"]["mlmon.dev/model"] for r in rules.values()) == sorted(files)
    for rel, obj in rules.items():
        groups = obj["spec"]["groups"]
        want = files[obj["metadata"]["labels"]["mlmon.dev/model"]]
        assert len(groups) == len(want) and {g["name"]: g for g in groups} == {g["name"]: g for g in want}, rel


@pytest.mark.parametrize("tree", TREES, ids=IDS)
def test_dashboard_configmaps_hold_the_dashboards(tree):
    maps = of_kind(tree, "ConfigMap")
    dashboards = sorted((tree / "grafana" / "dashboards").glob("*.json"))
    assert len(maps) == len(dashboards)
    for f in dashboards:
        cm = maps[f"kubernetes/dashboards/{f.stem}.yaml"]
        assert cm["data"] == {f.name: f.read_text()}
        assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"


def test_selector_and_extra_labels():
    for obj in objects(GENERATED).values():
        assert obj["metadata"]["namespace"] == "monitoring"
        labels = obj["metadata"]["labels"]
        assert labels["app.kubernetes.io/managed-by"] == "mlmon"
        assert ("release" in labels) == (obj["kind"] != "ConfigMap")
    for obj in objects(GOLDEN).values():
        labels = obj["metadata"]["labels"]
        assert obj["metadata"]["namespace"] == "observability" and labels["cost-center"] == "ml-platform"
        if obj["kind"] == "ConfigMap":
            assert labels["dashboards"] == "ml" and obj["metadata"]["annotations"]["grafana_folder"] == "Machine learning"
        else:
            assert labels["prometheus"] == "main"


def test_receivers_reference_secrets_never_values_or_paths():
    amcs = {**of_kind(GENERATED, "AlertmanagerConfig"), **{"golden/" + k: v for k, v in of_kind(GOLDEN, "AlertmanagerConfig").items()}}
    refs = {}
    for rel, obj in amcs.items():
        for r in obj["spec"]["receivers"]:
            for c in r.get("slackConfigs", []):
                refs[(rel, r["name"])] = c["apiURL"]
            for c in r.get("pagerdutyConfigs", []):
                refs[(rel, r["name"])] = c.get("routingKey") or c.get("serviceKey")
    assert refs == {
        ("kubernetes/alertmanagerconfigs/credit-ml.yaml", "credit-ml-slack"): {"name": "mlmon-credit-ml", "key": "slack-api-url"},
        ("kubernetes/alertmanagerconfigs/genai.yaml", "genai-pagerduty"): {"name": "mlmon-genai", "key": "pagerduty-routing-key"},
        ("kubernetes/alertmanagerconfigs/genai.yaml", "genai-slack"): {"name": "mlmon-genai", "key": "slack-api-url"},
        ("kubernetes/alertmanagerconfigs/recsys.yaml", "recsys-slack"): {"name": "mlmon-recsys", "key": "slack-api-url"},
        ("kubernetes/alertmanagerconfigs/risk-ml.yaml", "risk-ml-pagerduty"): {"name": "alerting-risk-ml", "key": "pagerduty-routing-key"},
        ("kubernetes/alertmanagerconfigs/risk-ml.yaml", "risk-ml-slack"): {"name": "alerting-risk-ml", "key": "slack-api-url"},
        ("golden/kubernetes/alertmanagerconfigs/search.yaml", "search-slack"): {"name": "mlmon-search", "key": "slack-api-url"},
        ("golden/kubernetes/alertmanagerconfigs/vision.yaml", "vision-pagerduty"): {"name": "vision-alerting", "key": "events-v1-key"},
        ("golden/kubernetes/alertmanagerconfigs/vision.yaml", "vision-slack"): {"name": "vision-alerting", "key": "webhook-url"},
    }
    for tree in TREES:
        for f in (tree / "kubernetes").rglob("*.yaml"):
            text = f.read_text()
            assert "_file" not in text and "/etc/alertmanager" not in text and "hooks.slack.com" not in text, f


@pytest.mark.parametrize("tree", TREES, ids=IDS)
def test_scrape_objects_set_the_labels_of_prometheus_yml(tree):
    """Job and target labels equal the static config's, so every rule selects the same series."""
    # the exporters' own jobs (mlmon-exporter-*) are not models' scrape objects: on prometheus-operator
    # the exporters' charts bring their ServiceMonitors (docs/integrations/kubernetes.md)
    scrape = load((tree / "prometheus" / "prometheus.yml").read_text())["scrape_configs"]
    jobs = {j["job_name"]: j for j in scrape if not j["job_name"].startswith("mlmon-exporter-")}
    monitors = {rel: o for rel, o in objects(tree).items() if o["kind"] in ("PodMonitor", "ServiceMonitor", "ScrapeConfig")}
    assert len(monitors) == len(jobs)
    for obj in monitors.values():
        model = obj["metadata"]["labels"]["mlmon.dev/model"]
        job = jobs[C.SCRAPE_JOB.format(model=model)]
        static = job["static_configs"][0]
        if obj["kind"] == "ScrapeConfig":
            s = obj["spec"]
            assert (s["jobName"], s["staticConfigs"], s["metricsPath"], s["scheme"], s["scrapeInterval"]) == (
                job["job_name"],
                [{"targets": static["targets"], "labels": static["labels"]}],
                job["metrics_path"],
                job["scheme"],
                job["scrape_interval"],
            )
            continue
        (endpoint,) = obj["spec"]["podMetricsEndpoints" if obj["kind"] == "PodMonitor" else "endpoints"]
        relabel = {r["targetLabel"]: r["replacement"] for r in endpoint["relabelings"]}
        assert relabel == {"job": job["job_name"], **static["labels"]}
        assert all(r["action"] == "replace" and "sourceLabels" not in r for r in endpoint["relabelings"])
        assert (endpoint["path"], endpoint["scheme"], endpoint["interval"]) == (job["metrics_path"], job["scheme"], job["scrape_interval"])


def _render(models: str, deploy: str = "    alertmanager: {matcher_strategy: None}\n"):
    text = MINIMAL.split("models:")[0] + "deploy:\n  kubernetes:\n" + deploy + "models:\n" + models
    spec, diags = pipeline.check({"s.yaml": text})
    assert spec is not None, diags
    return spec, pipeline.render(spec)


def _scraped_presets() -> list[str]:
    """Serving presets whose models serve their own /metrics (managed cloud endpoints are read through an exporter)."""
    return [p for p in presets.names("serving") if not _read_through_exporter(p)]


def _read_through_exporter(name: str) -> bool:
    preset = presets.get(name)
    assert preset is not None, name
    return bool(preset.exporter)


def test_every_serving_preset_has_kubernetes_defaults():
    assert sorted(SCRAPE) == _scraped_presets()
    models = "".join(f'  - id: m-{p}\n    team: risk-ml\n    serving: {{preset: {p}, targets: ["m-{p}.ml.svc:1"]}}\n    slos: []\n' for p in _scraped_presets())
    spec, files = _render(models)
    for p, d in SCRAPE.items():
        kind = {"pod": "PodMonitor", "service": "ServiceMonitor"}[d.monitor]
        obj = load(files[f"kubernetes/{kind.lower()}s/m-{p}.yaml"])
        assert check_object(obj, upstream_schemas()) == []
        (endpoint,) = obj["spec"]["podMetricsEndpoints" if d.monitor == "pod" else "endpoints"]
        assert endpoint.get("port") == d.port and endpoint.get("portNumber") == d.port_number
        assert obj["spec"]["selector"]["matchLabels"] == {k: v.format(model=f"m-{p}") for k, v in d.selector.items()}
        assert obj["spec"]["namespaceSelector"] == {"matchNames": ["ml"]}


def test_a_managed_endpoint_read_through_its_exporter_gets_no_scrape_object():
    """A SageMaker model has no /metrics of its own: the exporter's job reads it, so no PodMonitor/ServiceMonitor/ScrapeConfig."""
    managed = [p for p in presets.names("serving") if _read_through_exporter(p)]
    assert "sagemaker" in managed
    spec, files = _render("".join(f"  - id: m-{p}\n    team: risk-ml\n    serving: {{preset: {p}}}\n    slos: []\n" for p in managed))
    scrape_dirs = ("kubernetes/podmonitors/", "kubernetes/servicemonitors/", "kubernetes/scrapeconfigs/")
    assert not [f for f in files if f.startswith(scrape_dirs)]
    assert sorted(f for f in files if f.startswith("kubernetes/prometheusrules/")) == [f"kubernetes/prometheusrules/m-{p}.yaml" for p in managed]


def test_spec_settings_override_the_preset():
    spec, files = _render(
        "  - id: m\n    team: risk-ml\n    serving:\n      preset: kserve\n      kubernetes: {monitor: service, namespace: serving, selector: {app: m}, port: http-metrics}\n"
    )
    obj = load(files["kubernetes/servicemonitors/m.yaml"])
    assert obj["spec"]["selector"] == {"matchLabels": {"app": "m"}} and obj["spec"]["namespaceSelector"] == {"matchNames": ["serving"]}
    assert obj["spec"]["endpoints"][0]["port"] == "http-metrics"
    assert not any(k.startswith("kubernetes/podmonitors/") for k in files)


def test_no_deploy_block_no_kubernetes_files():
    spec, _ = pipeline.check({"s.yaml": MINIMAL})
    assert spec.kubernetes is None and not [k for k in pipeline.render(spec) if k.startswith("kubernetes/")]


def test_rendering_in_slices_gives_the_same_bytes():
    spec, files = _render("".join(f'  - id: m{i}\n    team: risk-ml\n    serving: {{targets: ["m{i}.ml.svc:1"]}}\n    slos: []\n' for i in range(3)))
    parts = [pipeline.render_models(spec, 0, 1), pipeline.render_models(spec, 1, 3)]
    assert pipeline.render(spec, parts=parts) == files == pipeline.render(spec)
    kustomization = load(files["kubernetes/kustomization.yaml"])
    assert kustomization["resources"] == sorted(k[len("kubernetes/") :] for k in files if k.startswith("kubernetes/") and not k.endswith("kustomization.yaml"))


def test_generate_check_covers_kubernetes(tmp_path, run_mlmon):
    out = tmp_path / "out"
    shutil.copytree(GOLDEN, out)
    spec = "tests/golden/kubernetes/spec.yaml"
    assert run_mlmon("generate", spec, "-o", out, "--check", cwd=REPO).returncode == 0
    f = out / "kubernetes" / "podmonitors" / "ocr.yaml"
    f.write_text(f.read_text().replace("port: metrics", "port: http"))
    (out / "kubernetes" / "scrapeconfigs" / "ranker.yaml").unlink()
    r = run_mlmon("generate", spec, "-o", out, "--check", cwd=REPO)
    assert r.returncode == 1 and "kubernetes/podmonitors/ocr.yaml" in r.stdout and "kubernetes/scrapeconfigs/ranker.yaml" in r.stdout


def test_a_receiver_setting_without_a_counterpart_is_an_error_not_dropped(monkeypatch):
    from mlmon.render import alertmanager

    spec, _ = _render('  - id: m\n    team: risk-ml\n    serving: {targets: ["m.ml.svc:1"]}\n    slos: []\n')
    real = alertmanager.config_data

    def with_extra(s):
        data = real(s)
        next(r for r in data["receivers"] if r["name"] == "risk-ml-slack")["slack_configs"][0]["icon_emoji"] = ":robot:"
        return data

    monkeypatch.setattr(alertmanager, "config_data", with_extra)
    with pytest.raises(ValueError, match="receiver risk-ml-slack: slack_configs: icon_emoji has no AlertmanagerConfig counterpart"):
        pipeline.render(spec)


def test_pagerduty_endpoints_and_regex_inhibitions_carry_over(monkeypatch):
    """alertmanager.yml's global PagerDuty URL reaches receivers without their own; regex matchers
    of inhibition rules become matchType =~."""
    from mlmon.render import alertmanager

    spec, _ = _render('  - id: m\n    team: risk-ml\n    serving: {targets: ["m.ml.svc:1"]}\n    slos: []\n')
    real = alertmanager.config_data

    def with_endpoints(s):
        data = real(s)
        data["global"]["pagerduty_url"] = "https://events.eu.pagerduty.com/v2/enqueue"
        data["inhibit_rules"].append({"source_matchers": ['alertname="A"'], "target_matchers": ['alertname=~"B|C"'], "equal": ["model"]})
        return data

    monkeypatch.setattr(alertmanager, "config_data", with_endpoints)
    amc = load(pipeline.render(spec)["kubernetes/alertmanagerconfigs/risk-ml.yaml"])
    pd = next(r for r in amc["spec"]["receivers"] if r["name"] == "risk-ml-pagerduty")["pagerdutyConfigs"][0]
    assert pd["url"] == "https://events.eu.pagerduty.com/v2/enqueue"
    assert amc["spec"]["inhibitRules"][-1]["targetMatch"][0] == {"name": "alertname", "value": "B|C", "matchType": "=~"}
    assert check_object(amc, upstream_schemas()) == []
