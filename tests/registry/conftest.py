from tests.helpers.servers import servers  # noqa: F401  (fixture: real Prometheus, stopped at teardown)
