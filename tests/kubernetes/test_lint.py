"""`mlmon lint` on deploy.kubernetes and serving.kubernetes: the prometheus-operator traps are
warnings with the fix, impossible settings are errors at their position (MLM240-MLM245)."""

from __future__ import annotations

import pytest

from mlmon import pipeline
from mlmon.compiler.kubernetes.compile import service_namespace
from mlmon.diagnostics import Severity, format_text
from tests.helpers.specs import MINIMAL

ROUTED = MINIMAL.replace("models:", "deploy:\n  kubernetes:\n    alertmanager: {matcher_strategy: None}\nmodels:")


def lint(*texts: str):
    spec, diags = pipeline.check({f"s{i}.yaml": t for i, t in enumerate(texts)})
    return spec, diags


def found(diags, code):
    return [d for d in diags if d.code == code]


def only(diags, code, severity):
    hits = found(diags, code)
    assert len(hits) == 1, format_text(diags)
    assert hits[0].severity == severity
    return hits[0]


def deploy(body: str, models: str | None = None) -> str:
    text = MINIMAL.replace("models:", "deploy:\n  kubernetes:\n" + body + "models:")
    return text if models is None else text.split("models:")[0] + "models:\n" + models


def test_the_shipped_setting_lints_clean():
    spec, diags = lint(ROUTED)
    assert diags == [] and spec is not None and spec.kubernetes is not None


def test_rules_without_selector_labels_are_a_warning_with_the_fix():
    spec, diags = lint(deploy("    selector_labels: {}\n    alertmanager: {matcher_strategy: None}\n"))
    d = only(diags, "MLM240", Severity.WARNING)
    assert (d.line, d.col) == (13, 5) and d.message.startswith("deploy.kubernetes.selector_labels: ")
    assert "ignores them silently" in d.message and "release: <Helm release name>" in d.hint
    assert spec is not None  # a warning: the output is still written


def test_extra_labels_cannot_override_a_selector_label():
    spec, diags = lint(deploy("    labels: {release: mine}\n    alertmanager: {matcher_strategy: None}\n"))
    d = only(diags, "MLM240", Severity.WARNING)
    assert "labels.release" in d.message and "'kube-prometheus-stack'" in d.message
    assert spec.kubernetes.selector_labels == {"release": "kube-prometheus-stack"}


def test_the_operators_namespace_matcher_is_a_warning_unless_declared_off():
    _, diags = lint(deploy("    namespace: obs\n"))
    d = only(diags, "MLM241", Severity.WARNING)
    assert d.message.startswith("deploy.kubernetes: ") and 'namespace="obs"' in d.message
    assert "alertmanagerConfigMatcherStrategy: {type: None}" in d.hint
    _, diags = lint(deploy("    alertmanager: {matcher_strategy: OnNamespace}\n"))
    assert only(diags, "MLM241", Severity.WARNING).message.startswith("deploy.kubernetes.alertmanager.matcher_strategy: ")
    for strategy in ("None", "OnNamespaceExceptForAlertmanagerNamespace"):
        assert found(lint(deploy(f"    alertmanager: {{matcher_strategy: {strategy}}}\n"))[1], "MLM241") == []


def test_business_hours_outside_utc_warn_only_with_kubernetes_output():
    hours = "  business_hours: {weekdays: [monday:friday], start: '09:00', end: '17:00', location: Europe/Berlin}\n"
    without = MINIMAL.replace("models:", hours + "models:")
    assert lint(without)[1] == []
    d = only(lint(ROUTED.replace("deploy:", hours + "deploy:"))[1], "MLM242", Severity.WARNING)
    assert d.message.startswith("routing.business_hours.location: ") and "09:00-17:00 UTC, not Europe/Berlin" in d.message


def test_deploy_kubernetes_is_defined_once():
    other = "apiVersion: mlmon/v1\nkind: MonitoringSpec\nmetadata: {name: other}\ndeploy:\n  kubernetes: {namespace: x}\n"
    spec, diags = lint(ROUTED, other)
    d = only(diags, "MLM245", Severity.ERROR)
    assert d.file == "s1.yaml" and "first in s0.yaml:" in d.message and spec is None


def test_team_secrets_name_known_teams():
    spec, diags = lint(deploy("    alertmanager: {matcher_strategy: None}\n    teams: {risk: {secret: s}}\n"))
    d = only(diags, "MLM202", Severity.ERROR)
    assert d.message == "deploy.kubernetes.teams.risk: unknown team 'risk'" and d.hint == "did you mean 'risk-ml'?"


def test_secret_names_and_keys_follow_kubernetes_rules():
    _, diags = lint(deploy("    alertmanager: {matcher_strategy: None}\n    teams: {risk-ml: {secret: " + "a" * 254 + "}}\n"))
    assert "is 254 characters long" in only(diags, "MLM243", Severity.ERROR).message
    _, diags = lint(deploy("    alertmanager: {matcher_strategy: None}\n    teams: {risk-ml: {secret: Alerting, slack_key: 'a key'}}\n"))
    assert sorted(d.message.split(":")[0] for d in found(diags, "MLM104")) == [
        "deploy.kubernetes.teams.risk-ml.secret",
        "deploy.kubernetes.teams.risk-ml.slack_key",
    ]


@pytest.mark.parametrize(
    "body",
    [
        "    namespace: Monitoring\n",
        "    labels: {'a b': x}\n",
        "    selector_labels: {release: " + "x" * 64 + "}\n",
        "    dashboards: {labels: {grafana_dashboard: 1}}\n",
    ],
)
def test_schema_rejects_invalid_names_and_labels(body):
    _, diags = lint(deploy(body))
    assert {d.code for d in diags if d.severity == Severity.ERROR} & {"MLM103", "MLM104"}, format_text(diags)


MODEL = "  - id: fraud-detector\n    team: risk-ml\n    serving: {serving}\n"


@pytest.mark.parametrize(
    "serving,where,words",
    [
        ("{preset: triton}", "models[0].serving.kubernetes", "no target is a Service address"),
        ('{targets: ["a.x.svc:1", "b.y.svc:1"]}', "models[0].serving.kubernetes", "several namespaces (x, y)"),
        ("{kubernetes: {monitor: static}}", "models[0].serving.kubernetes.monitor", "the model has none"),
        ('{targets: ["a.x.svc:1"], kubernetes: {port: http, port_number: 80}}', "models[0].serving.kubernetes.port_number", "not both"),
        ('{targets: ["a.x.svc:1"], kubernetes: {monitor: service, port_number: 80}}', "models[0].serving.kubernetes.port", "selects the Service port by name"),
        ('{targets: ["a.x.svc:1"], kubernetes: {selector: {}}}', "models[0].serving.kubernetes.selector", "empty selector"),
    ],
)
def test_models_that_cannot_be_scraped_are_errors(serving, where, words):
    spec, diags = lint(deploy("    alertmanager: {matcher_strategy: None}\n", MODEL.format(serving=serving)))
    d = only(diags, "MLM244", Severity.ERROR)
    assert d.message.startswith(where + ": ") and words in d.message, d.message
    assert spec is None


def test_settings_a_scrape_config_ignores_are_a_warning():
    spec, diags = lint(
        deploy("    alertmanager: {matcher_strategy: None}\n", MODEL.format(serving='{targets: ["10.0.0.1:80"], kubernetes: {selector: {app: x}}}'))
    )
    d = only(diags, "MLM244", Severity.WARNING)
    assert d.message.startswith("models[0].serving.kubernetes.selector: selector: no effect: a ScrapeConfig") and "no target is a cluster" in d.message
    assert spec.kubernetes.scrape["fraud-detector"].monitor == "static"


def test_serving_kubernetes_without_deploy_is_a_warning():
    text = MINIMAL.replace('serving: {targets: ["fraud-detector.ml.svc:8080"]}', 'serving: {targets: ["fraud-detector.ml.svc:8080"], kubernetes: {port: http}}')
    d = only(lint(text)[1], "MLM244", Severity.WARNING)
    assert d.message.startswith("models[0].serving.kubernetes: has no effect") and "deploy: {kubernetes: {}}" in d.hint


@pytest.mark.parametrize(
    "target,namespace",
    [
        ("a.ml.svc:8080", "ml"),
        ("a.ml.svc.cluster.local:8080", "ml"),
        ("pod-0.headless.ml.svc:80", "ml"),
        ("10.0.0.1:9000", None),
        ("host.example.com:80", None),
    ],
)
def test_service_namespace(target, namespace):
    assert service_namespace(target) == namespace


def test_lint_exit_codes_for_the_traps(tmp_path, run_mlmon):
    (tmp_path / "s.yaml").write_text(deploy("    selector_labels: {}\n"))
    r = run_mlmon("lint", "s.yaml", cwd=tmp_path)
    assert r.returncode == 0 and "[MLM240]" in r.stdout and "[MLM241]" in r.stdout
    assert run_mlmon("lint", "s.yaml", "--fail-on", "warning", cwd=tmp_path).returncode == 1
