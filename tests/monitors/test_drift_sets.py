"""Wide drift sections: the features in sets of consecutive features, one rule group each.

- The sets: the fewest that keep each within ``max_bins_per_group`` bins, as even as that number
  allows (against a brute force), in the features' order; a wider feature alone.
- Every rule of a set reads and records only its own features' series, so no two groups record
  the same series (a static check of every selector, and proof that the check catches a set that
  reads every feature).
- The scores stay exact: the generated cases and numpy's values pass the real promtool with the
  sets evaluated first, as `mlmon generate` orders them, for counted and histogram features, both
  methods, counters that never appeared and an idle-ok model; and under a ruler's limit of rules
  per group, with the sets' groups split further into shards.
- In a real Prometheus on 127.0.0.1 scraping live counters, the split groups record every
  feature's exact score, every bin once, without a failed evaluation or a rejected sample.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import ExprCheck, RecordingRule, Sample
from mlmon.monitors import drift
from mlmon.monitors.drift import rules as drift_rules
from mlmon.monitors.drift.compile import Dist
from mlmon.monitors.drift.promql import model_matcher, re_alt
from mlmon.monitors.drift.scores import fractions
from mlmon.monitors.drift.sets import feature_sets
from mlmon.render import prometheus, rule_tests
from tests.helpers.servers import serve_text, start_prometheus
from tests.helpers.specs import spec
from tests.monitors.test_drift import VARIANTS, compile_drift, make_baseline, messages, numpy_checks

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed")


# --- the sets ------------------------------------------------------------------------------------------
def _dists(sizes: list[int]) -> list[Dist]:
    return [Dist(f"f{i:02d}", "numeric", tuple(map(str, range(n))), (1 / n,) * n, (), 0.1, 0.2, None) for i, n in enumerate(sizes)]


def _best(sizes: list[int], cap: int) -> tuple[int, int]:
    """(fewest sets, smallest largest set) over every split of ``sizes`` into consecutive sets of at
    most ``cap`` bins (a wider item alone)."""
    best = None
    for cuts in itertools.product((False, True), repeat=len(sizes) - 1):
        sets, cur = [], [sizes[0]]
        for size, cut in zip(sizes[1:], cuts):
            if cut:
                sets.append(cur)
                cur = []
            cur.append(size)
        sets.append(cur)
        if all(sum(s) <= cap or len(s) == 1 for s in sets):
            key = (len(sets), max(map(sum, sets)))
            best = key if best is None or key < best else best
    assert best is not None
    return best


def test_features_that_fit_stay_in_one_set():
    feats = _dists([12, 12, 12])
    assert feature_sets(feats, 36) == [tuple(feats)]
    assert feature_sets(feats, 0) == [tuple(feats)]  # 0: never split
    assert feature_sets(feats, 35) != [tuple(feats)]


def test_fifty_features_of_twelve_bins_in_three_even_sets():
    sets = feature_sets(_dists([13] * 50), 256)
    assert [len(s) for s in sets] == [17, 17, 16]


def test_sets_are_the_fewest_and_as_even_as_a_brute_force_finds():
    rng = random.Random(11)
    for _ in range(300):
        sizes = [rng.choice((2, 4, 5, 9, 12, 13, 30)) for _ in range(rng.randint(1, 9))]
        cap = rng.randint(5, 60)
        feats = _dists(sizes)
        sets = feature_sets(feats, cap)
        assert [d for s in sets for d in s] == feats  # every feature once, in order
        bins = [sum(len(d.bins) for d in s) for s in sets]
        assert all(b <= cap or len(s) == 1 for b, s in zip(bins, sets)), (sizes, cap, bins)
        if sum(sizes) > cap:
            assert (len(sets), max(bins)) == _best(sizes, cap), (sizes, cap, bins)


def test_a_feature_wider_than_the_limit_gets_a_set_of_its_own():
    sets = feature_sets(_dists([4, 40, 4, 4]), 10)
    assert [[d.name for d in s] for s in sets] == [["f00"], ["f01"], ["f02", "f03"]]


# --- the groups and what each reads -------------------------------------------------------------------------
SERVING = "  - id: fraud-detector\n    team: risk-ml\n    serving: {targets: ['fd:8080']}\n"
HIST = "features: {amount: {source: {histogram: tx_amount}}}"
SELECTOR = re.compile(r"(mlmon_drift:feature[a-z_:]*|" + re.escape(C.FEATURE_BIN_TOTAL) + r")(\{[^}]*\})?")


def split(section: str = "", limit: int = 14, extra: str = "", files: dict | None = None):
    """A compiled spec whose drift section (the fixture baseline: age, amount, country) is split."""
    s, diags = compile_drift(f"{{baseline: baselines/fd.yaml, max_bins_per_group: {limit}{', ' + section if section else ''}}}", files=files, extra=extra)
    assert s is not None, messages(diags)
    model = s.models[0]
    return s, model, drift.MONITOR.rule_groups(model, s)


def foreign_reads(model, groups) -> list[str]:
    """The rules of a set (in its group, or its floors and unknown bins in the reference group)
    with a read of a per-feature series that lacks a set's feature matcher, or that read the
    series of another set than their own."""
    section = model.section("drift")
    sets = feature_sets(section.features, section.max_bins_per_group)
    matchers = {drift_rules.set_group(model, i): f"feature=~{re_alt([d.name for d in fs])}" for i, fs in enumerate(sets, 1)}
    out = []
    for g in groups:
        reference = g.name.endswith("-drift-reference")
        for r in g.rules if reference or g.name in matchers else ():
            if reference and getattr(r, "record", None) not in (C.DRIFT_BIN_ABSENT, C.DRIFT_BIN_UNKNOWN):
                continue
            selectors = [sel for _name, sel in SELECTOR.findall(r.expr)]
            if not selectors:  # a histogram-backed feature's counts: its own histogram only
                continue
            used = {m for m in matchers.values() for sel in selectors if m in sel}
            unmatched = [sel for sel in selectors if not any(m in sel for m in matchers.values())]
            if unmatched or len(used) != 1 or used != {matchers.get(g.name, *used)}:
                out.append(f"{g.name}: {getattr(r, 'record', None) or r.alert} reads {selectors}")
    return out


def test_a_split_section_has_a_group_per_set_between_the_constants_and_the_model_level_rules():
    _, model, groups = split()
    assert [g.name for g in groups] == [
        "mlmon-fraud-detector-drift-reference",
        "mlmon-fraud-detector-drift-features-1",
        "mlmon-fraud-detector-drift-features-2",
        "mlmon-fraud-detector-drift",
    ]
    last = groups[-1]
    # the model level: thresholds' consequences, the prediction and every alert; no per-feature bin rule
    recorded = {r.record for r in last.rules if isinstance(r, RecordingRule)}
    assert C.DRIFT_FEATURES_DRIFTED in recorded and C.DRIFT_PREDICTION_SCORE in recorded
    assert not recorded & {C.DRIFT_BIN_INCREASE, C.DRIFT_BIN_CURRENT, C.DRIFT_FEATURE_SCORE}
    for g in groups[1:3]:
        assert [r.record for r in g.rules] == [C.DRIFT_BIN_INCREASE, C.DRIFT_FEATURE_SAMPLES, C.DRIFT_BIN_CURRENT, C.DRIFT_FEATURE_SCORE]
        assert g.shardable and g.interval is None
    # same rules, other groups: nothing lost or added beyond the per-set copies
    _, _, whole = split(limit=0)
    assert [g.name for g in whole] == ["mlmon-fraud-detector-drift-reference", "mlmon-fraud-detector-drift"]
    kinds = sorted({getattr(r, "record", None) or r.alert for g in groups for r in g.rules})
    assert kinds == sorted({getattr(r, "record", None) or r.alert for g in whole for r in g.rules})


@pytest.mark.parametrize("section", ["", HIST, "method: js, js: {base: '2', form: distance}"])
def test_every_set_reads_and_records_only_its_own_features(section):
    edges = {"amount": (5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 1000.0)}
    _, model, groups = split(section, limit=9, files={"baselines/fd.yaml": make_baseline(edges=edges)})
    assert len(groups) == 5  # three sets of one feature each
    assert foreign_reads(model, groups) == []


def test_the_read_check_catches_a_set_that_reads_every_feature(monkeypatch):
    monkeypatch.setattr(drift_rules, "set_matcher", lambda model, names: model_matcher(model))
    _, model, groups = split()
    assert foreign_reads(model, groups)


def test_a_section_under_the_limit_is_written_as_before():
    _, model, groups = split(limit=1000)
    assert [g.name for g in groups] == ["mlmon-fraud-detector-drift-reference", "mlmon-fraud-detector-drift"]
    assert "feature=~" not in groups[-1].rules[1].expr  # the samples rule reads the model's series


# --- exact scores through promtool, the sets evaluated first -------------------------------------------------
def run_promtool(tmp_path: Path, groups, tests) -> subprocess.CompletedProcess:
    (tmp_path / "rules.yml").write_text(prometheus.rules_file(groups, "test"))
    (tmp_path / "tests.yml").write_text(rule_tests.tests_file(["rules.yml"], tests, "test", group_order=[g.name for g in groups]))
    check = subprocess.run([PROMTOOL, "check", "rules", str(tmp_path / "rules.yml")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    return subprocess.run([PROMTOOL, "test", "rules", str(tmp_path / "tests.yml")], capture_output=True, text=True, cwd=tmp_path)


@needs_promtool
@pytest.mark.parametrize("variant", ["psi", "js-e-divergence"])
def test_split_scores_equal_numpy_and_the_generated_cases_pass(variant, tmp_path):
    edges = {"amount": (5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 1000.0)}
    hist = HIST + ", " if variant == "psi" else ""
    s, model, groups = split(hist + VARIANTS[variant], limit=9, files={"baselines/fd.yaml": make_baseline(edges=edges)})
    assert len(groups) == 5
    generated = drift.MONITOR.rule_tests(model, s)
    section = model.section("drift")
    tests = [
        dataclasses.replace(t, expr_checks=t.expr_checks + tuple(numpy_checks(model, section, t))) if t.expr_checks and t.expr_checks[0].exp_samples else t
        for t in generated
    ]
    res = run_promtool(tmp_path, groups, tests)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


@needs_promtool
def test_split_sets_fill_bins_whose_counter_never_appeared(tmp_path):
    s, model, groups = split(limit=9)
    section = model.section("drift")
    case = drift.MONITOR.rule_tests(model, s)[1]
    checks = numpy_checks(model, section, case)
    kept = tuple((series, values) for series, values in case.input_series if not values.startswith("0+0x"))
    assert len(kept) < len(case.input_series)
    dropped = sum(series.startswith(C.FEATURE_BIN_TOTAL) and values.startswith("0+0x") for series, values in case.input_series)
    t = checks[0].eval_time
    count = ExprCheck(f'count({C.DRIFT_BIN_ABSENT}{{model="{model.id}"}}) or vector(0)', t, (Sample("{}", float(dropped)),))
    res = run_promtool(tmp_path, groups, [dataclasses.replace(case, input_series=kept, expr_checks=case.expr_checks + tuple(checks) + (count,))])
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


@needs_promtool
def test_split_idle_ok_model_passes_its_cases(tmp_path):
    s, model, groups = split(limit=9, extra="    idle_ok: true\n")
    res = run_promtool(tmp_path, groups, drift.MONITOR.rule_tests(model, s))
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


@needs_promtool
def test_generate_orders_the_sets_before_the_model_level_group(tmp_path, run_mlmon):
    """The generated test file evaluates every set's group before the group that reads their
    scores, and passes promtool as written."""
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "fd.yaml").write_text(make_baseline())
    (tmp_path / "spec.yaml").write_text(spec(SERVING + "    drift: {baseline: baselines/fd.yaml, max_bins_per_group: 9}\n"))
    res = run_mlmon("generate", "spec.yaml", "-o", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    test_file = tmp_path / "out" / "prometheus" / "tests" / "fraud-detector.drift.test.yml"
    order = yaml.safe_load(test_file.read_text())["group_eval_order"]
    assert order == [
        "mlmon-fraud-detector-drift-reference",
        *(f"mlmon-fraud-detector-drift-features-{i}" for i in (1, 2, 3)),
        "mlmon-fraud-detector-drift",
    ]
    res = subprocess.run([PROMTOOL, "test", "rules", test_file.name], capture_output=True, text=True, cwd=test_file.parent)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


@needs_promtool
def test_sets_under_a_rulers_rule_limit_are_split_further_and_still_pass(tmp_path, run_mlmon):
    """With a ruler's limit of rules per group, a set's histogram-backed counts move to shards of
    its group (written before it), the reference group's too; the tests evaluate them first."""
    edges = {"amount": (5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 1000.0)}
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "fd.yaml").write_text(make_baseline(edges=edges))
    drift_section = "    drift: {baseline: baselines/fd.yaml, max_bins_per_group: 18, source: {histogram: tx_values}}\n"
    (tmp_path / "spec.yaml").write_text(spec(SERVING + drift_section) + "ruler: {max_rules_per_group: 4}\n")
    res = run_mlmon("generate", "spec.yaml", "-o", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    test_file = tmp_path / "out" / "prometheus" / "tests" / "fraud-detector.drift.test.yml"
    order = yaml.safe_load(test_file.read_text())["group_eval_order"]
    sets = [g for g in order if "-drift-features-" in g and "-shard-" not in g]
    assert len(sets) == 2 and any(g.startswith(tuple(f"{x}-shard-" for x in sets)) for g in order), order
    for g in order:  # every shard before the group it came from, every set before the model level
        if "-shard-" in g:
            assert order.index(g) < order.index(g.split("-shard-")[0])
    assert all(order.index(g) < order.index("mlmon-fraud-detector-drift") for g in sets)
    res = subprocess.run([PROMTOOL, "test", "rules", test_file.name], capture_output=True, text=True, cwd=test_file.parent)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


# --- a real Prometheus scraping live counters -------------------------------------------------------------
class LiveCounters:
    """Per-bin counters growing at fixed rates: the baseline's shares, a shifted feature, a bin
    label the baseline lacks, and lazily created counters (bins never observed are not exposed)."""

    def __init__(self, model_id: str, section):
        self.model_id, self.t0 = model_id, time.time()
        self.rates: dict[tuple[str, str], float] = {}
        for i, d in enumerate(section.features):
            fr = list(d.fractions)
            if i == 1:  # shifted by one bin
                fr = fr[-1:] + fr[:-1]
            for b, x in zip(d.bins, fr):
                if b != C.DRIFT_OTHER_BIN and i != 2 or b == d.bins[0]:
                    self.rates[(d.name, b)] = round(600.0 * x, 3)  # the 3rd feature exposes one bin only
        self.rates[(section.features[0].name, "bogus")] = 37.0  # counted in __other__

    def expected(self, section) -> dict[str, float]:
        out = {}
        for d in section.features:
            seen = dict.fromkeys(d.bins, 0.0)
            for (f, b), r in self.rates.items():
                if f == d.name:
                    seen[b if b in seen else C.DRIFT_OTHER_BIN] += r
            out[d.name] = section.score(fractions([seen[b] for b in d.bins]), d.fractions)
        return out

    def text(self) -> str:
        t = time.time() - self.t0
        return "".join(f'{C.FEATURE_BIN_TOTAL}{{model="{self.model_id}",feature="{f}",bin="{b}"}} {r * t:.6f}\n' for (f, b), r in sorted(self.rates.items()))


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())["data"]


def _query(base: str, q: str) -> list:
    return _get(f"{base}/api/v1/query?query={urllib.parse.quote(q)}")["result"]


@pytest.mark.e2e
@pytest.mark.tools
def test_split_groups_in_a_real_prometheus_record_exact_scores_without_conflicts(tmp_path):
    if shutil.which("prometheus") is None:
        pytest.skip("prometheus is not installed")
    files = {"baselines/fd.yaml": make_baseline()}
    text = spec(
        SERVING.replace("fd:8080']}", "fd:8080'], scrape_interval: 5s}")
        + "    drift: {baseline: baselines/fd.yaml, max_bins_per_group: 9, window: 30s, min_samples: 100, prediction: {enabled: false}}\n"
    )
    s, diags = pipeline.check({"specs/payments.yaml": text}, lambda _f, ref: (files.get(ref), None if ref in files else "file not found"))
    assert s is not None, messages(diags)
    model = s.models[0]
    section = model.section("drift")
    # every group (the constants too) every second, as the scrapes
    groups = [dataclasses.replace(g, interval=None) for g in drift.MONITOR.rule_groups(model, s)]
    assert len(groups) == 5
    counters = LiveCounters(model.id, section)

    httpd, port = serve_text(lambda _path: counters.text())
    config = (
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "rule_files: [mlmon/rules/*.rules.yml]\n"
        f"scrape_configs:\n  - job_name: model\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n"
    )
    prom = start_prometheus(tmp_path / "prom", config=config, rules={"drift.rules.yml": prometheus.rules_file(groups, "test")})
    try:
        base = prom.url
        want = counters.expected(section)
        deadline = time.monotonic() + 60
        got: dict[str, float] = {}
        while time.monotonic() < deadline:
            got = {r["metric"]["feature"]: float(r["value"][1]) for r in _query(base, f'{C.DRIFT_FEATURE_SCORE}{{model="{model.id}"}}')}
            absent = _query(base, f'count({C.DRIFT_BIN_ABSENT}{{model="{model.id}"}})')
            if len(got) == len(want) and absent and int(absent[0]["value"][1]) > 0:
                break
            time.sleep(0.5)
        time.sleep(11)  # ten more evaluations of every group
        got = {r["metric"]["feature"]: float(r["value"][1]) for r in _query(base, f'{C.DRIFT_FEATURE_SCORE}{{model="{model.id}"}}')}
        assert got.keys() == want.keys()
        for name, v in want.items():
            assert abs(got[name] - v) < 1e-6, (name, got[name], v)
        # every bin of every feature once (the unknown label folded into __other__, missing bins floored)
        per_feature = {r["metric"]["feature"]: int(r["value"][1]) for r in _query(base, f'count by (feature) ({C.DRIFT_BIN_CURRENT}{{model="{model.id}"}})')}
        assert per_feature == {d.name: len(d.bins) for d in section.features}
        # one group writes each series: one sample per evaluation (every second), not one per group
        for record in (C.DRIFT_BIN_INCREASE, C.DRIFT_BIN_CURRENT, C.DRIFT_FEATURE_SCORE):
            most = _query(base, f'max(count_over_time({record}{{model="{model.id}"}}[10s]))')
            assert most and float(most[0]["value"][1]) <= 12, (record, most)
        scored = _query(base, f'{C.DRIFT_FEATURES_SCORED}{{model="{model.id}"}}')
        assert scored and int(scored[0]["value"][1]) == len(section.features)
        rule_groups = _get(f"{base}/api/v1/rules")["groups"]
        assert sorted(g["name"] for g in rule_groups) == sorted(g.name for g in groups)
        assert all(r["health"] == "ok" for g in rule_groups for r in g["rules"]), [r.get("lastError") for g in rule_groups for r in g["rules"]]
        with urllib.request.urlopen(base + "/metrics", timeout=5) as r:
            own = [line for line in r.read().decode().splitlines() if line.startswith("prometheus_rule_evaluation_failures_total{")]
        assert len(own) == len(groups) and all(line.endswith(" 0") for line in own), own
        log = prom.log()
        for sign in ("same timestamp", "duplicate sample", "out of order", "appending failed"):
            assert sign not in log.lower(), log[-3000:]
    finally:
        prom.stop()
        prom.cleanup()
        httpd.shutdown()
