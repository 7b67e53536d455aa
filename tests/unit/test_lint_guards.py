"""Specs that pass lint must not page the wrong place, leak a credential or crash later: reserved
labels, receivers without integrations, secrets in free text, out-of-range numbers and durations,
and messages that say what is wrong (each at its file:line:col, with its code)."""

import pytest

from mlmon import pipeline
from mlmon.diagnostics import Severity
from mlmon.render import alertmanager
from tests.helpers.specs import MINIMAL, ROUTING, spec


def check(text, name="s.yaml"):
    return pipeline.check({name: text})


def line_of(text, needle):
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def errors(diags, code):
    return [d for d in diags if d.code == code]


# --- reserved labels ---------------------------------------------------------------------------
@pytest.mark.parametrize("label", ["action", "severity", "team", "model", "monitor", "check", "version", "__name__"])
def test_reserved_label_in_metadata_labels_is_an_error(label):
    text = MINIMAL.replace("metadata: {name: payments-ml}", f"metadata: {{name: payments-ml, labels: {{{label}: x, env: prod}}}}")
    s, diags = check(text)
    assert s is None
    (d,) = errors(diags, "MLM220")
    assert (d.line, d.col) == (3, text.splitlines()[2].index(label) + 1)
    assert d.message.startswith(f"metadata.labels.{label}: label {label!r}")
    assert diags == [d]  # env is fine


def test_reserved_label_of_a_model_is_an_error_at_its_key():
    text = spec("  - id: m\n    team: risk-ml\n    labels: {action: retrain, tier: gold}\n")
    s, diags = check(text)
    (d,) = diags
    assert d.code == "MLM220" and (d.line, d.col) == (line_of(text, "labels:"), 14) and "action" in d.message


def test_action_retrain_in_metadata_labels_would_route_every_alert_to_the_retraining_webhook():
    """Why: Alertmanager routes action="retrain" to the retraining webhook first."""
    routing = ROUTING.replace("      pagerduty:", '      retraining: {url: "http://relay.svc:8080/r"}\n      pagerduty:')
    ok, _ = check(spec("  - id: m\n    team: risk-ml\n", routing=routing))
    labels = {"alertname": "MLModelSLOBurnRate", "team": "risk-ml", "severity": "critical", "action": "retrain"}
    assert alertmanager.expected_receivers(ok, labels)[0] == "risk-ml-retraining"


# --- alerts that reach no integration ---------------------------------------------------------
PD_ONLY = "routing:\n  teams:\n    risk-ml:\n      pagerduty: {routing_key_file: /etc/pd}\n"


def test_pagerduty_only_team_is_warned_that_tickets_and_info_reach_no_one():
    text = spec("  - id: m\n    team: risk-ml\n    retraining: {triggers: [staleness]}\n", routing=PD_ONLY)
    s, diags = check(text)
    assert s is not None
    warned = errors(diags, "MLM223")
    assert {d.message.split(" alerts")[0].split(": ")[1] for d in warned} == {"ticket", "info"}
    for d in warned:
        assert d.severity == Severity.WARNING and (d.line, d.col) == (line_of(text, "team: risk-ml"), 11)
        assert "mlmon-default" in d.message and "routing.teams.risk-ml" in d.hint
    ticket = next(d for d in warned if "ticket alerts" in d.message)
    assert "MLModelRetrainingTriggered" in ticket.message and "MLModelSLOBurnRate" in ticket.message


def test_every_alert_with_a_receiver_or_a_chosen_silence_is_quiet():
    s, diags = check(MINIMAL)  # risk-ml has Slack and PagerDuty
    assert errors(diags, "MLM223") == []
    chosen = PD_ONLY + "  severity: {ticket: [pagerduty], info: []}\n"
    s, diags = check(spec("  - id: m\n    team: risk-ml\n", routing=chosen))
    assert s is not None and diags == []


# --- secrets in free text ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "field, value, kind",
    [
        ("labels: {pd: ", "0123456789abcdef0123456789ABCDEF}", "PagerDuty integration key"),
        ("description: ", "'see https://user:hunter2@wiki.corp/x'", "user name or password"),
        ("description: ", "'dashboards at https://grafana.corp/d/x?api_key=s3cr3t'", "credential in its query string"),
        ("description: ", "'Bearer abcdefghijklmnopqrstuvwxyz012345'", "bearer token"),
    ],
)
def test_key_shaped_values_in_any_free_text_field_are_errors_not_echoed(field, value, kind):
    text = spec(f"  - id: m\n    team: risk-ml\n    {field}{value}\n")
    s, diags = check(text)
    (d,) = diags
    assert d.code == "MLM208" and kind in d.message and d.line == line_of(text, field)
    secret = value.strip("'{}").split()[-1]
    assert secret not in d.message + (d.hint or "")


def test_credential_in_a_retraining_url_is_one_error_never_echoed():
    for url in ("http://relay.svc:8080/hook?token=abcdef123456", "http://retrain:hunter2@relay.svc/x"):
        routing = ROUTING.replace("      pagerduty:", f'      retraining: {{url: "{url}"}}\n      pagerduty:')
        s, diags = check(spec("  - id: m\n    team: risk-ml\n", routing=routing))
        (d,) = diags
        assert d.code == "MLM208" and d.message.startswith("routing.teams.risk-ml.retraining.url: looks like a URL with")
        assert "hunter2" not in d.message and "abcdef123456" not in d.message


def test_one_inline_slack_url_is_one_error():
    routing = ROUTING.replace("api_url_file: /etc/alertmanager/secrets/slack-recsys", "api_url: https://hooks.slack.com/services/T000/B000/XXXX")
    s, diags = check(spec("  - id: m\n    team: recsys\n", routing=routing))
    (d,) = diags
    assert d.code == "MLM208" and d.message.startswith("routing.teams.recsys.slack.api_url: inline secret")


def test_a_pagerduty_events_url_is_no_secret():
    s, diags = check(MINIMAL.replace("payments-ml}", "payments-ml, description: 'pages via https://events.eu.pagerduty.com/v2/enqueue'}"))
    assert diags == []


# --- numbers and durations within what Prometheus and the monitors can use ---------------------
@pytest.mark.parametrize(
    "objective, words",
    [
        ("9" * 4400, "number with 4400 digits is out of range"),
        ("9" * 40, "a 40-digit number is out of range"),
        (".nan", ".nan is not a number"),
        (".inf", ".inf is not a finite number"),
        ("1.0e-300", "too small"),
    ],
)
def test_numbers_out_of_range_are_one_clear_error(objective, words):
    text = spec(f"  - id: m\n    team: risk-ml\n    slos:\n      - {{name: a, objective: {objective}, sli: {{kind: availability}}}}\n")
    s, diags = check(text)
    (d,) = diags
    assert d.code == "MLM221" and words in d.message and d.line == line_of(text, "objective")
    assert d.message.startswith("models[0].slos[0].objective: ")


@pytest.mark.parametrize("period", ["99999999999999999999d", "11y", "1" + "0" * 5000 + "d"])
def test_durations_beyond_ten_years_are_errors(period):
    from mlmon.compiler.units import MAX_DURATION

    text = spec(f"  - id: m\n    team: risk-ml\n    slos:\n      - {{name: a, objective: 99, period: {period}, sli: {{kind: availability}}}}\n")
    s, diags = check(text)
    (d,) = diags
    assert d.code == "MLM222" and f"longer than {MAX_DURATION}" in d.message and d.line == line_of(text, "period")
    ok, diags = check(text.replace(period, "3650d"))
    assert ok is not None and diags == []


def test_defaults_durations_are_bounded_too():
    s, diags = check(MINIMAL.replace("routing:", "defaults: {scrape_interval: 100000w}\nrouting:", 1))
    assert [d.code for d in diags] == ["MLM222"]


# --- messages -----------------------------------------------------------------------------------
def test_unsafe_python_tag_is_the_unsupported_tag_error_only():
    text = spec('  - id: m\n    team: risk-ml\n    description: !!python/object/apply:os.system ["ls"]\n')
    s, diags = check(text)
    (d,) = diags
    assert d.code == "MLM003" and "python/object/apply" in d.message and d.line == line_of(text, "description")


@pytest.mark.parametrize(
    "data, words, pos",
    [
        ("apiVersion: mlmon/v1\n".encode("utf-16"), "UTF-16", (1, 1)),
        ("apiVersion: mlmon/v1\n".encode("utf-16-le"), "UTF-16", (1, 1)),
        ("apiVersion: mlmon/v1\nmetadata: {name: caf\xe9}\n".encode("latin-1"), "Latin-1", (2, 21)),
    ],
)
def test_other_encodings_are_named_not_called_binary(data, words, pos):
    s, diags = pipeline.check({"s.yaml": data})
    (d,) = diags
    assert d.code == "MLM005" and words in d.message and "binary" not in d.message and (d.line, d.col) == pos


# --- one outage, one page ----------------------------------------------------------------------
def test_every_no_data_alert_is_inhibited_while_the_models_serving_is_down():
    """The inhibit rule's targets name every alert that fires for missing data (proven against a
    real Alertmanager in tests/e2e/test_inhibition_e2e.py)."""
    import yaml

    from mlmon import conventions as C
    from tests.conftest import REPO

    roots = [REPO / "generated", *sorted((REPO / "tests" / "golden").glob("*/expected"))]
    names = {
        r["alert"]
        for root in roots
        for f in (root / "prometheus" / "rules").glob("*.yml")
        for g in yaml.safe_load(f.read_text())["groups"]
        for r in g["rules"]
        if "alert" in r
    }
    assert {n for n in names if n.endswith(("NoData", "Missing", "Stopped", "LowSamples"))} <= set(C.NO_DATA_ALERTS)
    assert C.ALERT_SERVING_DOWN in names and not set(C.NO_DATA_ALERTS) & {C.ALERT_SERVING_DOWN}
    for root in roots:
        rules = yaml.safe_load((root / "alertmanager" / "alertmanager.yml").read_text())["inhibit_rules"]
        assert {
            "source_matchers": [f'alertname="{C.ALERT_SERVING_DOWN}"'],
            "target_matchers": ['alertname=~"' + "|".join(C.NO_DATA_ALERTS) + '"'],
            "equal": ["model"],
        } in rules
