"""A real ``mlflow server`` (SQLite backend, 127.0.0.1, free port, temp dir) for the registry
tests, and the registered models the tests start from, created with the ``mlflow`` client.

    server = MlflowServer.start(workdir)   # bounded wait for /health
    seed(server.url)                        # credit-risk (aliases), churn (stages)
    server.stop()                           # TERM to the process group it started, then KILL

The server runs in its own session (it forks uvicorn and a job runner); ``stop`` signals that
process group by the id of the process started here, never by name.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.servers import _http_status, free_port

ADMIN = "admin"
START_TIMEOUT = 300.0  # first start creates the SQLite schema; slow on a busy 2-core machine

# (version, run metrics) of the seeded models; versions are registered in this order
CREDIT_RISK = "credit-risk"
CREDIT_RUNS = ({"val_auc": 0.86, "val_f1": 0.71, "loss": 0.41}, {"val_auc": 0.88, "val_f1": 0.74, "loss": 0.38}, {"val_auc": 0.9, "val_f1": 0.77, "loss": 0.35})
CHURN = "churn"
CHURN_RUNS = ({"accuracy": 0.81, "auc": 0.84}, {"accuracy": 0.83, "auc": 0.86})


@dataclass
class MlflowServer:
    url: str
    proc: subprocess.Popen
    log_path: Path

    @classmethod
    def start(cls, workdir: Path, *, password: str | None = None, timeout: float = START_TIMEOUT) -> MlflowServer:
        """Start the server; with ``password``, MLflow's basic-auth app, whose admin user is
        ``ADMIN`` with that password (every request then needs credentials)."""
        workdir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        argv = [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            f"sqlite:///{workdir / 'mlflow.db'}",
            "--default-artifact-root",
            str(workdir / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"  # no job-runner process: the registry needs none
        if password:
            argv += ["--app-name", "basic-auth"]
            ini = workdir / "basic_auth.ini"
            ini.write_text(
                "[mlflow]\ndefault_permission = READ\n"
                f"database_uri = sqlite:///{workdir / 'basic_auth.db'}\n"
                f"admin_username = {ADMIN}\nadmin_password = {password}\n"
                "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
                "auth_cache_ttl_seconds = 3600\n"  # one PBKDF2 check per credential, not one per request
            )
            env["MLFLOW_AUTH_CONFIG_PATH"] = str(ini)
            env["MLFLOW_FLASK_SERVER_SECRET_KEY"] = secrets.token_hex(16)  # CSRF key of the auth app's forms
        log_path = workdir / "mlflow-server.log"
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, cwd=workdir, env=env)
        server = cls(f"http://127.0.0.1:{port}", proc, log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited with {proc.returncode}:\n{server.log()[-3000:]}")
            if _http_status(server.url + "/health", timeout=2.0) == 200:
                return server
            time.sleep(0.5)
        server.stop()
        raise RuntimeError(f"mlflow server not up after {timeout:.0f}s:\n{server.log()[-3000:]}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(self.proc.pid, sig)  # the group of the process started above (its own session)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue


def client(url: str):
    """The mlflow client; credentials come from MLFLOW_TRACKING_USERNAME/PASSWORD (see ``credentials``)."""
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=url, registry_uri=url)


@contextlib.contextmanager
def credentials(password: str | None):
    """MLFLOW_TRACKING_USERNAME/PASSWORD for the mlflow client while the block runs."""
    keys = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")
    saved = {k: os.environ.get(k) for k in keys}
    if password:
        os.environ.update(dict(zip(keys, (ADMIN, password))))
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def register(url: str, name: str, runs: tuple[dict[str, float], ...]) -> list[str]:
    """A registered model with one version per run (each run logs these metrics); run ids in order."""
    from mlflow.entities import Metric

    c = client(url)
    exp = c.get_experiment_by_name("mlmon-tests")
    exp_id = exp.experiment_id if exp else c.create_experiment("mlmon-tests")
    c.create_registered_model(name)
    ids = []
    for i, metrics in enumerate(runs):
        if i:
            time.sleep(1.1)  # versions are ordered by their training time in Unix seconds: one run a second apart
        run = c.create_run(exp_id)
        c.log_batch(run.info.run_id, metrics=[Metric(k, v, 0, 0) for k, v in sorted(metrics.items())])
        c.set_terminated(run.info.run_id)
        c.create_model_version(name, f"runs:/{run.info.run_id}/model", run_id=run.info.run_id, await_creation_for=0)
        ids.append(run.info.run_id)
    return ids


def seed(url: str) -> None:
    """credit-risk: versions 1-3, champion -> 2, challenger -> 3; churn: versions 1-2, 1 in Production."""
    import warnings

    register(url, CREDIT_RISK, CREDIT_RUNS)
    c = client(url)
    c.set_registered_model_alias(CREDIT_RISK, "champion", "2")
    c.set_registered_model_alias(CREDIT_RISK, "challenger", "3")
    register(url, CHURN, CHURN_RUNS)
    with warnings.catch_warnings():  # stages are deprecated in MLflow 2.9+, and still what many registries use
        warnings.simplefilter("ignore")
        c.transition_model_version_stage(CHURN, "1", "Production")
