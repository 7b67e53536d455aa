"""Fixtures shared by the diff/apply tests: ``servers`` starts real Prometheus and Alertmanager on
127.0.0.1 (see helpers/servers.py) and stops them after the test; no ``MLMON_*`` variable of the
developer's leaks into a test (a module may define its own ``_no_mlmon_env``)."""

import os

import pytest
import remote_fixtures  # noqa: F401  (sys.path: tests/ and cli/)

from helpers.servers import servers  # noqa: F401  (fixture)

KEPT = ("MLMON_GRAFANA_OPENAPI", "MLMON_UPDATE_GOLDEN")


@pytest.fixture(autouse=True)
def _no_mlmon_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith("MLMON_") and k not in KEPT:
            monkeypatch.delenv(k)
