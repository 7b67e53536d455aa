"""The MLflow client on payloads recorded from a real server (tests/fixtures/upstream/mlflow/,
see PROVENANCE.md): parsing, and the whole fetch through a loopback server that replays them,
including the server's answers to missing and wrong credentials."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from mlmon.registry.client import AUTH, PROTOCOL, UNKNOWN, UNREACHABLE, MlflowClient, RegistryError, parse_run, parse_versions
from mlmon.registry.config import DEFAULT_CURRENT, ModelRef
from mlmon.registry.sync import fetch_entry
from tests.helpers.servers import free_port
from tests.registry.mlflow_server import CHURN_RUNS, CREDIT_RUNS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "mlflow"
PASSWORD = "replayed"


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def test_versions_and_aliases_from_recorded_payloads():
    model = parse_versions(recorded("registered_model_get")["body"]["registered_model"], recorded("model_versions_search")["body"]["model_versions"])
    assert model.name == "credit-risk"
    assert [(v.version, v.aliases, v.stage) for v in model.versions] == [("1", (), None), ("2", ("champion",), None), ("3", ("challenger",), None)]
    churn = parse_versions(
        recorded("registered_model_get_churn")["body"]["registered_model"], recorded("model_versions_search_churn")["body"]["model_versions"]
    )
    assert [(v.version, v.stage) for v in churn.versions] == [("1", "Production"), ("2", None)]


def test_run_end_time_and_metrics_from_a_recorded_payload():
    run = recorded("run_get_2")["body"]["run"]
    end, metrics = parse_run(run)
    assert end == run["info"]["end_time"] // 1000
    assert metrics == dict(sorted(CREDIT_RUNS[1].items()))


def test_latest_step_wins():
    run = {"info": {}, "data": {"metrics": [{"key": "f1", "value": 0.5, "step": 2, "timestamp": 1}, {"key": "f1", "value": 0.9, "step": 1, "timestamp": 9}]}}
    assert parse_run(run) == (None, {"f1": 0.5})


class Replay:
    """Answers each request with the recorded answer to the same request."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, frozenset], tuple[int, object]] = {}
        for f in sorted(FIXTURES.glob("*.json")):
            rec = json.loads(f.read_text())
            if "credentials" in f.stem or "password" in f.stem:
                continue
            self.answers[(rec["request"]["path"], frozenset(rec["request"]["params"].items()))] = (rec["status"], rec["body"])
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                params = frozenset((k, int(v) if v.isdigit() and k == "max_results" else v) for k, v in parse_qsl(parts.query))
                auth = self.headers.get("Authorization", "")
                good = "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
                if not auth:
                    status, body = recorded("registered_model_get_no_credentials")["status"], recorded("registered_model_get_no_credentials")["body"]
                elif auth != good:
                    status, body = recorded("registered_model_get_wrong_password")["status"], recorded("registered_model_get_wrong_password")["body"]
                else:
                    status, body = replay.answers.get((parts.path, params), (500, "not recorded"))
                data = (json.dumps(body) if not isinstance(body, str) else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if not isinstance(body, str) else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def replay():
    r = Replay()
    yield r
    r.close()


ENV = {"MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": PASSWORD}


def test_fetch_an_entry_through_recorded_answers(replay):
    c = MlflowClient(replay.url, env=ENV)
    e = fetch_entry(c, ModelRef("credit-risk", "credit-risk", {"auc": "val_auc", "f1": "val_f1"}), DEFAULT_CURRENT, None)
    assert (e.version, e.stage, e.previous_version) == ("2", "champion", "1")
    assert e.current.training_metrics == {"auc": CREDIT_RUNS[1]["val_auc"], "f1": CREDIT_RUNS[1]["val_f1"]}
    assert e.previous.training_metrics == {"auc": CREDIT_RUNS[0]["val_auc"], "f1": CREDIT_RUNS[0]["val_f1"]}
    assert e.current.trained_at == recorded("run_get_2")["body"]["run"]["info"]["end_time"] // 1000
    assert CHURN_RUNS  # the churn payloads are parsed above


def test_unknown_model_with_a_hint(replay):
    with pytest.raises(RegistryError) as exc:
        MlflowClient(replay.url, env=ENV).model("credit-riks")
    assert exc.value.kind == UNKNOWN
    assert str(exc.value) == f"registered model 'credit-riks' not found in MLflow at {replay.url}; did you mean 'credit-risk'?"


@pytest.mark.parametrize(
    "env", [{}, {"MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": "s3cret-wrong"}, {"MLFLOW_TRACKING_TOKEN": "tok-s3cret"}]
)
def test_authentication_failures_name_the_variables_not_the_secret(replay, env):
    with pytest.raises(RegistryError) as exc:
        MlflowClient(replay.url, env=env).model("credit-risk")
    assert exc.value.kind == AUTH
    text = str(exc.value)
    assert "HTTP 401 (authentication failed); set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD" in text
    assert "s3cret" not in text


def test_credentials_in_the_uri_are_refused():
    with pytest.raises(RegistryError) as exc:
        MlflowClient("http://admin:hunter22@127.0.0.1:5000")
    assert exc.value.kind == AUTH and "hunter22" not in str(exc.value)


def test_nothing_listening(replay):
    with pytest.raises(RegistryError) as exc:
        MlflowClient(f"http://127.0.0.1:{free_port()}", retries=0, env=ENV).model("credit-risk")
    assert exc.value.kind == UNREACHABLE and "connection refused" in str(exc.value)


def test_not_an_mlflow_server(replay, servers):
    from tests.helpers.servers import Fault

    proxy = servers.proxy(replay.url, [Fault("GET", "/api/", "status", status=404, body=b"<html>not here</html>")])
    with pytest.raises(RegistryError) as exc:
        MlflowClient(proxy.url, env=ENV).model("credit-risk")
    assert exc.value.kind == PROTOCOL and "HTTP 404: the answer is not MLflow's JSON; is this an MLflow tracking server?" in str(exc.value)


def test_the_exporter_keeps_the_last_good_facts_when_the_registry_fails(replay):
    import io

    from mlmon.registry.exporter import Poller, Source

    log = io.StringIO()
    poller = Poller([Source(replay.url, DEFAULT_CURRENT, (ModelRef("credit-risk", "credit-risk", {"f1": "val_f1"}),))], 5.0, ENV, log, clock=lambda: 1234.0)
    assert poller.poll() is True
    good = poller.text()
    assert 'mlmon_model_info{model="credit-risk",stage="champion",version="2"} 1' in good
    assert f'mlmon_model_training_metric{{metric="f1",model="credit-risk",version="2"}} {CREDIT_RUNS[1]["val_f1"]}' in good
    assert "mlmon_registry_up 1" in good and "mlmon_registry_last_success_timestamp_seconds 1234" in good
    replay.close()  # the registry goes away
    assert poller.poll() is False
    after = poller.text()
    assert after == good.replace("\nmlmon_registry_up 1\n", "\nmlmon_registry_up 0\n")
    assert "model credit-risk: MLflow at" in log.getvalue() and "connection refused" in log.getvalue()


def test_serve_once_prints_the_exposition(replay, tmp_path, run_mlmon):
    from tests.registry.specs import write_spec

    spec = write_spec(tmp_path, f"mlflow_uri: {replay.url}\nexporter: {{targets: ['127.0.0.1:9464']}}", "- {id: credit-risk, team: credit}")
    r = run_mlmon("registry", "serve", spec, "--once", env=ENV)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'mlmon_model_info{model="credit-risk",stage="champion",version="2"} 1' in r.stdout
    r = run_mlmon("registry", "serve", spec, "--once", "--mlflow-uri", f"http://127.0.0.1:{free_port()}", env=ENV)
    assert r.returncode == 2 and "mlmon_registry_up 0" in r.stdout and "connection refused" in r.stderr
