"""promtool cases of the comparison with training figures (``training``): a version scoring worse
than its figure by more than ``max_drop_vs_training`` fires, one within the margin stays quiet.

With a registry file the figures are the file's, so the traffic's quality is searched for one that
falls below them and one that stays within the margin (a half is left out when no quality in 0..1
does). With the exporter the figures are input series, set from the traffic's values."""

from __future__ import annotations

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, RuleTest
from mlmon.compiler.units import fmt_float
from mlmon.monitors.performance.casekit import Setup, sorted_alerts
from mlmon.monitors.performance.names import labels
from mlmon.monitors.performance.training import compared
from mlmon.monitors.quality import LOWER_IS_BETTER, V1, label_series, traffic, traffic_series, worse
from mlmon.monitors.testkit import at, exp_alert, series


def _find_q(s: Setup, figures: dict[str, float], fires: bool) -> float | None:
    by = s.p.max_drop_vs_training
    for k in range(100, -1, -1):
        vals = s.window_values(k / 100)
        live = {m: vals.get((m, None)) for m in figures}
        if any(v is None for v in live.values()):
            continue
        if all(worse(m, live[m] or 0.0, f, by + 1e-9) == fires and abs(abs((live[m] or 0.0) - f) - by) > 1e-6 for m, f in figures.items()):
            return k / 100
    return None


def training_cases(s: Setup) -> list[RuleTest]:
    model, p = s.model, s.p
    metrics = compared(model, p)
    if not metrics:
        return []
    link = model.registry
    by = p.max_drop_vs_training
    out = []
    for fires in (True, False):
        if link.source == "exporter":
            version, q = V1, s.q_h
            live = s.window_values(q)
            figures = {}
            for m in metrics:
                x = live.get((m, None)) or 0.0
                shift = (by + 0.01) if fires else 0.0
                figures[m] = x - shift if m in LOWER_IS_BETTER else x + shift
            if any(not 0 <= f <= 1 for f in figures.values()):
                continue
            extra = tuple(
                (series(C.MODEL_TRAINING_METRIC, {C.L_MODEL: model.id, C.L_VERSION: version, "metric": m}), f"{fmt_float(f)}x{s.total}")
                for m, f in figures.items()
            )
        else:
            version = link.version
            figures = {m: x for v, m, x in link.training_metrics if v == version and m in metrics}
            if set(figures) != set(metrics):
                return []
            found = _find_q(s, figures, fires)
            if found is None:
                continue
            q, extra = found, ()
            live = s.window_values(q)
        counts = traffic(p, q, s.b)
        inputs = traffic_series(model, p, version, [(counts, s.total)]) + label_series(model, version, [(s.preds, s.total)], [(counts.labelled(), s.total)])
        exp = [exp_alert(s.rules, C.ALERT_PERF_BELOW_TRAINING, {**labels(model, m, C.SEVERITY_TICKET), C.L_VERSION: version}, live[(m, None)]) for m in metrics]
        what = f"more than {by} below" if fires else f"within {by} of"
        out.append(
            s.t.case(
                f"performance {model.id}: version {version} at q={q} scores {what} its training figures "
                + ", ".join(f"{m} {f:.4g}" for m, f in sorted(figures.items()))
                + f": {C.ALERT_PERF_BELOW_TRAINING} {'fires' if fires else 'stays quiet'}",
                (*inputs, *extra),
                (AlertCheck(at(s.t_quiet), C.ALERT_PERF_BELOW_TRAINING, sorted_alerts(exp) if fires else ()),),
            )
        )
    return out
