"""Shared by the regression and ranking monitor tests: compile a one-model spec, collect what the
generated cases prove for each alert, and run a promtool test of instrument-made counters."""

from __future__ import annotations

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertRule, RuleTest
from tests.helpers.specs import spec


def compile_model(task: str, section: str, key: str, extra: str = "    versions: {stale_after: 30d}\n"):
    text = spec(f"  - id: m1\n    team: risk-ml\n    task: {task}\n    serving: {{targets: ['m1:8080']}}\n    {key}: {section}\n{extra}")
    return pipeline.check({"specs/t.yaml": text})


def model_of(task: str, section: str, key: str, extra: str = "    versions: {stale_after: 30d}\n"):
    s, diags = compile_model(task, section, key, extra)
    assert s is not None, [f"{d.line}:{d.col} {d.code} {d.message}" for d in diags]
    return s, s.models[0]


def all_rules(spec_, model, *monitors):
    return [g for mon in monitors for g in mon.rule_groups(model, spec_)]


def proofs(tests: list[RuleTest], alerts: list[AlertRule], nodata: str) -> dict[str, set[str]]:
    """Per alert rule (name/check/severity): 'fires' when a case expects it, 'quiet' when a case
    expects none of its name, 'nodata' when a case expects it quiet while ``nodata`` fires."""
    out: dict[str, set[str]] = {}
    for rule in alerts:
        key = f"{rule.alert}/{rule.labels[C.L_CHECK]}/{rule.labels[C.L_SEVERITY]}"
        got = out.setdefault(key, set())
        for t in tests:
            named = [c for c in t.alert_checks if c.alertname == rule.alert]
            if any(all(a.labels.get(k) == v for k, v in rule.labels.items()) for c in named for a in c.exp_alerts):
                got.add("fires")
            if any(not c.exp_alerts for c in named):
                got.add("quiet")
                if rule.alert != nodata and any(c.alertname == nodata and c.exp_alerts for c in t.alert_checks):
                    got.add("nodata")
            if rule.alert == nodata and "no " in t.name and any(c.exp_alerts for c in named):
                got.add("nodata")
    return out


def run_ordered(tmp, groups, tests):
    """promtool on ``groups`` in their order (as the generated files order them: the versions
    group before the monitor's, which reads its series of the same evaluation)."""
    import subprocess

    from mlmon.render import prometheus, rule_tests
    from tests.presets.promtool_util import promtool

    (tmp / "rules.yml").write_text(prometheus.rules_file(groups, "# test"))
    text = rule_tests.tests_file(["rules.yml"], tests, "# test", tests[0].evaluation_interval or "1m", [g.name for g in groups])
    (tmp / "rules.test.yml").write_text(text)
    return subprocess.run([promtool(), "test", "rules", "rules.test.yml"], capture_output=True, text=True, timeout=300, cwd=tmp)


def assert_ordered_passes(tmp, groups, tests) -> None:
    res = run_ordered(tmp, groups, tests)
    assert res.returncode == 0, res.stdout[-6000:] + res.stderr[-3000:]
