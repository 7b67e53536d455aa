"""End-to-end harness (spec and constants): the real stack of ``mlmon up`` (Prometheus, Alertmanager, demo models,
webhook sink) on 127.0.0.1 with free ports, for a test spec with short intervals and windows.

One stack per session (conftest.py) serves every scenario at once: each scenario has its own model (its own
demo process, started in the scenario's mode), so the scenarios run concurrently and the suite
takes about as long as the slowest one. Every process is stopped by its PID at teardown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from mlmon import stack as S

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "examples" / "demo" / "baseline.yaml"

# scenario model -> demo mode at start
MODELS = {
    "e2e-healthy": "healthy",
    "e2e-drift": "drift",
    "e2e-errors": "errors",
    "e2e-degraded": "degraded",
    "e2e-down": "healthy",
}
TEAM = "e2e-team"
SLO_PERIOD = "10d"  # page tier: 20m/2m windows, for 1m


def registered_monitors() -> set[str]:
    from mlmon.monitors import registry

    return {m.key for m in registry.MONITORS}


def model_sections(model_id: str, monitors: set[str]) -> dict:
    """The parts of a model entry for the monitors that are registered, with short windows
    (scrape and evaluation every 1s; alerts hold for seconds, not minutes)."""
    out: dict = {
        "slos": [
            {
                "name": "availability",
                "objective": 99,
                "period": SLO_PERIOD,
                "sli": {"kind": "availability"},
                "alerting": {"no_data_for": "10s", "ticket": False},
            },
        ],
    }
    if "infra" in monitors:
        # 15s: on a loaded 2-core machine a 1s scrape can time out now and then; one missed
        # scrape is not an outage
        out["infra"] = {"scrape": {"for": "15s"}}
    if "drift" in monitors:
        # 600 samples: sampling noise of PSI over ~10 bins is ~0.015, far below warn (0.1)
        out["drift"] = {"baseline": f"baselines/{model_id}.yaml", "window": "1m", "min_samples": 600, "for": "5s", "no_data_for": "5m"}
    if "feedback" in monitors:
        out["feedback"] = {"window": "1m", "min_feedback": 20, "max_negative_ratio": 0.4, "for": "5s", "stopped_for": "5m", "spike": {"enabled": False}}
    if "performance" in monitors:
        out["performance"] = {
            # for 15s: at warm-up, predictions become "due" a few seconds before 100 labels have
            # been joined, so the no-data alert (which shares `for`) must outlast that gap
            "window": "1m",
            "labels_delay": "2s",
            "min_samples": 100,
            "min": {"accuracy": 0.7},
            "for": "15s",
            "label_coverage": {"min": 0.2, "no_labels_for": "5m"},
        }
    if "retraining" in monitors:
        out["retraining"] = {"triggers": ["drift", "performance"], "for": "15s"}
    return out


def build_spec(directory: Path, ports: dict[str, int]) -> Path:
    monitors = registered_monitors()
    (directory / "baselines").mkdir(parents=True, exist_ok=True)
    models = []
    for model_id in MODELS:
        text = BASELINE.read_text().replace("\nmodel: demo\n", f"\nmodel: {model_id}\n")
        (directory / "baselines" / f"{model_id}.yaml").write_text(text)
        models.append(
            {
                "id": model_id,
                "team": TEAM,
                "task": "binary_classification",
                "serving": {"preset": "mlmon", "targets": [f"127.0.0.1:{ports[model_id]}"]},
                **model_sections(model_id, monitors),
            }
        )
    spec = {
        "apiVersion": "mlmon/v1",
        "kind": "MonitoringSpec",
        "metadata": {"name": "e2e"},
        "defaults": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "routing": {
            "teams": {
                TEAM: {
                    "slack": {"channel": "#e2e", "api_url_file": "/etc/alertmanager/secrets/slack-e2e"},
                    "pagerduty": {"routing_key_file": "/etc/alertmanager/secrets/pd-e2e"},
                    "retraining": {"url": "http://127.0.0.1:9/retrain", "repeat_interval": "1h"},
                }
            }
        },
        "models": models,
    }
    path = directory / "e2e.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


START_ATTEMPTS = 3


def start_stack(new_root: Callable[[], Path], free_port: Callable[[], int] = S.free_port) -> S.Stack:
    """The stack for the test spec, started on free ports (fixed ones for the demo models, so the
    spec's targets are the real addresses), in a fresh folder from ``new_root``. A free port can be
    taken between its choice and its use, e.g. as the ephemeral port of another test's outgoing
    connection, which comes from the same range: then the stack (which stops whatever it started
    when it fails) starts again on new ports, up to START_ATTEMPTS times."""
    for attempt in range(START_ATTEMPTS):
        root = new_root()
        ports = {m: free_port() for m in MODELS}
        st = S.Stack(
            [build_spec(root / "spec", ports)],
            state_dir=root / "state",
            ports=S.Ports(prometheus=0, alertmanager=0, sink=0, demo=0, models=ports),
            demo=S.DemoOptions(rate=25, label_delay="2s", modes=MODELS),
        )
        try:
            return st.start()
        except S.StackError as exc:
            if "already in use" not in str(exc) or attempt == START_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
