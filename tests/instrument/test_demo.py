"""The demo model service, in-process on 127.0.0.1 (no traffic loop: requests are made here)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from mlmon import conventions as C
from mlmon.demo import data
from mlmon.demo.model import train
from mlmon.demo.service import DemoService, Settings
from mlmon.stack import http_json

ROOT = Path(__file__).resolve().parents[2]


def metric(port: int, name: str, **labels) -> float:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    total = 0.0
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
    return total


@pytest.fixture()
def svc():
    s = DemoService(Settings(model_id="demo", port=0, rate=0, baseline=str(ROOT / "examples/demo/baseline.yaml")))
    s.start()
    yield s
    s.stop()


def test_model_learns_and_modes_change_the_data():
    rows = data.dataset(1500, 7)
    m = train(rows)
    assert m.accuracy(data.dataset(1000, 99)) > 0.8
    rng = random.Random(1)
    degraded = [data.sample(rng, "degraded") for _ in range(1000)]
    assert m.accuracy(degraded) < 0.6  # labels changed, inputs not: concept drift
    healthy = [data.features(random.Random(2)) for _ in range(500)]
    drifted = [data.features(random.Random(2), "drift") for _ in range(500)]
    assert sum(x["amount"] for x in drifted) > 2 * sum(x["amount"] for x in healthy)
    assert data.dataset(50, 3) == data.dataset(50, 3)  # deterministic


def test_predict_label_feedback_and_metrics(svc):
    x, y = data.sample(random.Random(5))
    status, out = http_json("POST", svc.port, "/predict", {"features": x})
    assert status == 200 and 0 <= out["score"] <= 1 and out["version"] == "v1"
    status, joined = http_json("POST", svc.port, "/label", {"id": out["id"], "actual": 1})
    assert status == 200 and joined == {"joined": True}
    assert http_json("POST", svc.port, "/label", {"id": out["id"], "actual": 1})[0] == 404  # only once
    assert http_json("POST", svc.port, "/feedback", {"id": out["id"], "positive": False, "rating": 2})[0] == 200
    assert metric(svc.port, C.PREDICTIONS_TOTAL, model="demo") == 1
    assert metric(svc.port, C.LABELS_JOINED_TOTAL, model="demo") == 1
    assert metric(svc.port, C.FEEDBACK_TOTAL, model="demo", kind="negative") == 1
    assert metric(svc.port, C.FEATURE_BIN_TOTAL, model="demo", feature="country", bin=x["country"]) == 1
    assert metric(svc.port, C.LABEL_DELAY + "_count", model="demo") == 1  # the label's delay since its prediction
    assert http_json("POST", svc.port, "/predict", {"features": {"amount": 1}})[0] == 400
    assert metric(svc.port, C.PREDICTION_ERRORS_TOTAL, model="demo", reason="invalid_input") == 1
    # the request without its other features is a data-quality problem too: absent features
    assert metric(svc.port, C.FEATURE_ROWS_TOTAL, model="demo") == 2
    assert metric(svc.port, C.FEATURE_SCHEMA_TOTAL, model="demo", feature="country", reason="absent") == 1


def test_error_mode_and_version_switch_at_run_time(svc):
    assert http_json("POST", svc.port, "/admin/mode", {"mode": "nonsense"})[0] == 400
    status, body = http_json("POST", svc.port, "/admin/mode", {"mode": "errors", "version": "v2"})
    assert status == 200 and body == {"mode": "errors", "version": "v2"}
    x, _ = data.sample(random.Random(6))
    codes = [http_json("POST", svc.port, "/predict", {"features": x})[0] for _ in range(60)]
    assert 500 in codes and 200 in codes
    assert metric(svc.port, C.PREDICTION_ERRORS_TOTAL, model="demo", version="v2", reason="exception") == codes.count(500)
    assert metric(svc.port, C.PREDICTIONS_TOTAL, model="demo", version="v2") == 60
    assert metric(svc.port, C.MODEL_INFO, model="demo", version="v2") == 1
    assert metric(svc.port, C.MODEL_INFO, model="demo", version="v1") == 0
    assert http_json("GET", svc.port, "/admin/mode")[1]["mode"] == "errors"
