"""The exporter's metrics as Prometheus text exposition (pure): one current version per model.

``mlmon_model_info{model,version,stage}`` is 1 for the version the registry names current, so a
promotion makes a new series appear (the versions monitor's version-change event);
``mlmon_model_trained_timestamp_seconds`` orders the versions; ``mlmon_model_training_metric``
holds its training run's figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlmon import conventions as C
from mlmon.registry.fileformat import Entry


@dataclass(frozen=True)
class Status:
    up: bool  # the last poll of every model succeeded
    last_success: float | None  # Unix time of the last complete poll


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: Mapping[str, str]) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items())) + "}" if labels else ""


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 2**53 else repr(float(x))


def text(entries: Mapping[str, Entry], status: Status) -> str:
    families: list[tuple[str, str, list[tuple[dict[str, str], float]]]] = [
        (C.MODEL_INFO, "Model version the registry names current (1), with the alias or stage that names it.", []),
        (C.MODEL_TRAINED_TIMESTAMP, "Unix time the current version was trained (its run's end, else its registration).", []),
        (C.MODEL_TRAINING_METRIC, "Metric the current version's training run logged in the registry.", []),
    ]
    for mid in sorted(entries):
        e = entries[mid]
        cur = e.current
        base = {C.L_MODEL: mid, C.L_VERSION: e.version}
        families[0][2].append(({**base, "stage": e.stage}, 1.0))
        families[1][2].append((base, float(cur.trained_at)))
        for metric, x in sorted(cur.training_metrics.items()):
            families[2][2].append(({**base, "metric": metric}, x))
    families.append((C.REGISTRY_UP, "1 when the last poll of the model registry succeeded for every model.", [({}, 1.0 if status.up else 0.0)]))
    if status.last_success is not None:
        families.append((C.REGISTRY_LAST_SUCCESS, "Unix time of the last poll that succeeded for every model.", [({}, status.last_success)]))
    out = []
    for name, help_text, samples in families:
        out.append(f"# HELP {name} {help_text}\n# TYPE {name} gauge\n")
        out.extend(f"{name}{_labels(lab)} {_num(v)}\n" for lab, v in samples)
    return "".join(out)
