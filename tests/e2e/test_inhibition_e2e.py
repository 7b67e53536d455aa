"""One outage pages once: while a model's serving is down, real Alertmanager 0.25 loaded with the
generated configuration inhibits that model's no-data alerts, and only that model's.
(`amtool config routes test` does not simulate inhibition; the server does.)"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
import yaml

from mlmon import conventions as C
from mlmon import pipeline
from tests.helpers.servers import servers  # noqa: F401 (fixture)
from tests.helpers.specs import spec

pytestmark = pytest.mark.e2e

MODELS = (
    "  - id: down\n    team: risk-ml\n    serving: {targets: ['down.svc:8080']}\n  - id: other\n    team: risk-ml\n    serving: {targets: ['other.svc:8080']}\n"
)


def _alerts(url: str) -> list[dict]:
    with urllib.request.urlopen(url + "/api/v2/alerts", timeout=5) as r:
        return json.loads(r.read())


def _post(url: str, labels: list[dict]) -> None:
    body = json.dumps([{"labels": lab, "annotations": {}} for lab in labels]).encode()
    req = urllib.request.Request(url + "/api/v2/alerts", body, {"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.status == 200


def _key(labels: dict) -> tuple:
    return tuple(sorted(labels.items()))


def _states(url: str, want: int) -> dict[tuple, dict]:
    """Alert status by label set, once Alertmanager holds ``want`` alerts (poll, bounded)."""
    deadline = time.monotonic() + 20
    while True:
        got = {_key(a["labels"]): a["status"] for a in _alerts(url)}
        if len(got) == want or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def test_serving_down_inhibits_the_models_no_data_alerts(servers, tmp_path):  # noqa: F811
    compiled, diags = pipeline.check({"s.yaml": spec(MODELS)})
    assert compiled is not None, diags
    files = pipeline.render(compiled, dashboards=False)
    cases = yaml.safe_load(files["alertmanager/routing-tests.yml"])["tests"]
    no_data = [c["labels"] for c in cases if c["labels"]["alertname"] in C.NO_DATA_ALERTS]
    assert {lab["model"] for lab in no_data} == {"down", "other"} and len(no_data) >= 4
    down = next(c["labels"] for c in cases if c["labels"]["alertname"] == C.ALERT_SERVING_DOWN and c["labels"]["model"] == "down")
    am = servers.alertmanager(tmp_path / "alertmanager.yml", config=files["alertmanager/alertmanager.yml"])

    _post(am.url, no_data)
    before = _states(am.url, len(no_data))
    assert all(s["state"] == "active" for s in before.values()), before

    _post(am.url, [down])
    deadline = time.monotonic() + 20  # the inhibitor reads its source alerts asynchronously
    while True:
        after = _states(am.url, len(no_data) + 1)
        inhibited = {k for k, s in after.items() if s["inhibitedBy"]}
        if inhibited or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert inhibited == {_key(lab) for lab in no_data if lab["model"] == "down"}, after
    assert all(after[k]["state"] == "suppressed" for k in inhibited)
    assert after[_key(down)]["state"] == "active"  # the outage itself still pages
    assert all(after[_key(lab)]["state"] == "active" for lab in no_data if lab["model"] == "other")
