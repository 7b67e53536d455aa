"""Small spec texts for tests."""

import re

ROUTING = """\
routing:
  teams:
    risk-ml:
      slack: {channel: "#risk-ml-alerts", api_url_file: /etc/alertmanager/secrets/slack-risk-ml}
      pagerduty: {routing_key_file: /etc/alertmanager/secrets/pd-risk-ml}
    recsys:
      slack: {channel: "#recsys", api_url_file: /etc/alertmanager/secrets/slack-recsys}
"""

MINIMAL = (
    """\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: payments-ml}
"""
    + ROUTING
    + """\
models:
  - id: fraud-detector
    team: risk-ml
    serving: {targets: ["fraud-detector.ml.svc:8080"]}
"""
)


def spec(models: str, routing: str = ROUTING, name: str = "test-spec") -> str:
    return f"apiVersion: mlmon/v1\nkind: MonitoringSpec\nmetadata: {{name: {name}}}\n{routing}models:\n{models}"


def diagnostic_code(line: str) -> str | None:
    """The code of one formatted diagnostic line (``... [MLM203]``), whole."""
    m = re.search(r"\[(MLM[0-9]{3})\]$", line.split("\n", 1)[0])
    return m.group(1) if m else None


def assert_error_at(errors: list[str], code: str, where: str) -> None:
    """One formatted error carries exactly ``code`` and names ``where``; every error points into s.yaml."""
    assert any(diagnostic_code(e) == code and where in e for e in errors), errors
    assert all(e.startswith("s.yaml:") for e in errors)


def compile_text(text: str, name: str = "t.yaml"):
    """(compiled spec or None, diagnostics) of one spec file's text."""
    from mlmon import pipeline

    return pipeline.check({name: text})


def first_model(text: str):
    """(spec, its first model) of a spec text that must compile."""
    spec_, diags = compile_text(text)
    assert spec_ is not None, [str(d) for d in diags]
    return spec_, spec_.models[0]
