"""``models[].untested_alerts``: lint lists each exempted alert (MLM214, a warning at the entry),
generate writes them for validate's coverage check, and a bad entry is a schema error."""

from __future__ import annotations

import yaml

from mlmon import pipeline
from mlmon.compiler.untested import FILE
from mlmon.diagnostics import Severity, format_text
from tests.helpers.specs import spec

MODEL = (
    "  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n"
    "    untested_alerts:\n"
    "      - {alert: MLModelSLOBurnRate, labels: {burn_window: 3d/6h}, reason: needs three days of traffic}\n"
    "      - alert: MLModelSLONoData\n        reason: checked by the platform team\n"
)


def test_lint_lists_every_exempted_alert_at_its_entry():
    text = spec(MODEL)
    s, diags = pipeline.check({"s.yaml": text})
    assert s is not None, [format_text([d]) for d in diags]
    found = [(d.line, d.col, d.severity, d.message) for d in diags if d.code == "MLM214"]
    lines = text.splitlines()
    first = next(i for i, x in enumerate(lines) if "alert: MLModelSLOBurnRate" in x) + 1
    second = next(i for i, x in enumerate(lines) if "alert: MLModelSLONoData" in x) + 1
    assert found == [
        (
            first,
            lines[first - 1].index("{") + 1,
            Severity.WARNING,
            "models[0].untested_alerts[0]: alert MLModelSLOBurnRate{burn_window=3d/6h} needs no firing rule test: needs three days of traffic",
        ),
        (
            second,
            lines[second - 1].index("alert") + 1,
            Severity.WARNING,
            "models[0].untested_alerts[1]: alert MLModelSLONoData needs no firing rule test: checked by the platform team",
        ),
    ]


def test_generate_writes_the_exemptions_for_validate():
    s, _ = pipeline.check({"s.yaml": spec(MODEL)})
    assert s is not None
    files = pipeline.render(s, dashboards=False)
    data = yaml.safe_load(files[FILE])
    assert data == {
        "untested_alerts": [
            {
                "model": "m",
                "rule_files": "rules/m.*.rules.yml",
                "alert": "MLModelSLOBurnRate",
                "labels": {"model": "m", "burn_window": "3d/6h"},
                "reason": "needs three days of traffic",
                "source": "s.yaml",
            },
            {
                "model": "m",
                "rule_files": "rules/m.*.rules.yml",
                "alert": "MLModelSLONoData",
                "labels": {"model": "m"},
                "reason": "checked by the platform team",
                "source": "s.yaml",
            },
        ]
    }
    s2, _ = pipeline.check({"s.yaml": spec("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n")})
    assert s2 is not None and FILE not in pipeline.render(s2, dashboards=False)


def test_an_entry_without_a_reason_is_a_schema_error():
    s, diags = pipeline.check({"s.yaml": spec("  - id: m\n    team: risk-ml\n    untested_alerts: [{alert: MLModelSLONoData}]\n")})
    assert s is None
    assert [d.code for d in diags if d.severity >= Severity.ERROR] == ["MLM102"], [format_text([d]) for d in diags]
