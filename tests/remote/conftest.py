"""Fixtures shared by the diff/apply tests: ``servers`` starts real Prometheus and Alertmanager on
127.0.0.1 (see helpers/servers.py) and stops them after the test."""

import remote_fixtures  # noqa: F401  (sys.path: tests/ and cli/)

from helpers.servers import servers  # noqa: F401  (fixture)
