"""A demo model service for trying mlmon end to end: ``python -m mlmon.demo --help``.

It trains a small logistic regression (plain Python) on deterministic synthetic data at start,
serves it on 127.0.0.1, emits the metric contract through ``mlmon.instrument``, generates its own
traffic, delayed ground-truth labels and user feedback, and switches at run time
(``POST /admin/mode {"mode": ...}``) between ``healthy``, ``drift`` (inputs move),
``degraded`` (labels change, inputs don't: concept drift), ``errors`` (an error burst) and
``latency`` (a latency spike).
"""
