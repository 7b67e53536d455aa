"""A fixed dashboard (panels of every kind, copied from a generated one) and fixed data for it, so
the screenshot test does not change when the monitors' dashboards do."""

import json
import math
from pathlib import Path

from mlmon.preview import model
from mlmon.preview.model import PanelData, Series

HERE = Path(__file__).parent / "fixtures"
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
END = START + 6 * 3600


def dashboard(shift: int = 0) -> model.Dashboard:
    """The fixture; ``shift`` moves the gauge that many grid columns (a layout regression)."""
    raw = json.loads((HERE / "dashboard.json").read_text())
    for p in raw["panels"]:
        if p["id"] == 7:
            p["gridPos"]["x"] += shift
    return model.parse(raw)


def _wave(i: int, base: float, amp: float, n: int = 73) -> tuple[tuple[float, float], ...]:
    return tuple((START + k * 300, base + amp * math.sin(k / 7 + i)) for k in range(n))


def data(d: model.Dashboard) -> dict[int, PanelData]:
    out = {}
    for p in d.panels:
        if p.type == "row":
            continue
        series = []
        for i, t in enumerate(p.targets):
            if p.type == "timeseries":
                scale = {"reqps": 40.0, "percentunit": 0.01, "s": 0.2}.get(p.unit, 2.0)
                series.append(Series(t.legend or t.ref, (), _wave(i, scale, scale / 3), t.ref))
            elif p.type == "table":
                for v in ("v1", "v2"):
                    labels = (("stage", "production"), ("version", v))
                    series.append(Series("", labels, ((END, 1.0),), t.ref))
            elif p.type == "bargauge":
                for slo, v in (("availability", 83.0), ("latency", 12.5)):
                    series.append(Series(f"churn / {slo}", (("model", "churn"), ("slo", slo)), ((END, v),), t.ref))
            else:
                value = {"percent": 99.71, "s": 5400.0}.get(p.unit, 0.5)
                series.append(Series(t.legend, (), ((END, value if p.type != "gauge" else 42.0),), t.ref))
        out[p.id] = PanelData(tuple(series), (), "fixture data", START, END, absolute=True)
    return out
