"""Record MLflow REST payloads from a real server into tests/fixtures/upstream/mlflow/.

    .venv/bin/python -m tests.registry.record_payloads

Starts ``mlflow server`` (SQLite, 127.0.0.1) with MLflow's basic-auth app like the tests' server,
seeds it the same way (``mlflow_server.seed``) and records the answers, also to a request without
credentials and to one with a wrong password (the password is random and not recorded). Each payload is written as ``<name>.json`` with the request that produced
it, the HTTP status and the body, exactly as received. PROVENANCE.md says which MLflow version
answered. The fast unit tests read these files; rerun after upgrading MLflow and review the diff.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
from pathlib import Path

import requests

from tests.registry.mlflow_server import ADMIN, CREDIT_RISK, MlflowServer, credentials, seed

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "mlflow"
API = "/api/2.0/mlflow"


def _get(url: str, name: str, path: str, params: dict | None = None, auth: tuple[str, str] | None = None) -> dict:
    r = requests.get(url + API + path, params=params or {}, auth=auth, timeout=30)
    try:
        body = r.json()
    except ValueError:
        body = r.text
    record = {"request": {"method": "GET", "path": API + path, "params": params or {}}, "status": r.status_code, "body": body}
    (OUT / f"{name}.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return record


def main() -> None:
    import mlflow

    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="mlmon-mlflow-record-"))
    password = secrets.token_hex(12)
    try:
        server = MlflowServer.start(work, password=password)
        try:
            with credentials(password):
                seed(server.url)
            auth = (ADMIN, password)
            _get(server.url, "registered_model_get", "/registered-models/get", {"name": CREDIT_RISK}, auth)
            _get(server.url, "registered_model_get_unknown", "/registered-models/get", {"name": "credit-riks"}, auth)
            _get(server.url, "registered_models_search", "/registered-models/search", {"max_results": 1000}, auth)
            versions = _get(server.url, "model_versions_search", "/model-versions/search", {"filter": f"name='{CREDIT_RISK}'", "max_results": 1000}, auth)
            _get(server.url, "model_versions_search_churn", "/model-versions/search", {"filter": "name='churn'", "max_results": 1000}, auth)
            _get(server.url, "registered_model_get_churn", "/registered-models/get", {"name": "churn"}, auth)
            for v in versions["body"]["model_versions"]:
                _get(server.url, f"run_get_{v['version']}", "/runs/get", {"run_id": v["run_id"]}, auth)
            _get(server.url, "registered_model_get_no_credentials", "/registered-models/get", {"name": CREDIT_RISK})
            _get(server.url, "registered_model_get_wrong_password", "/registered-models/get", {"name": CREDIT_RISK}, (ADMIN, "not-" + password))
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (OUT / "VERSION").write_text(mlflow.__version__ + "\n")
    print(f"recorded {len(list(OUT.glob('*.json')))} payloads from mlflow {mlflow.__version__} into {OUT}")


if __name__ == "__main__":
    main()
