"""The model registry: facts that MLflow keeps about each model (its current version, the
previous one, when they were trained, their training metrics), brought into monitoring.

Two ways, chosen by the spec's ``registry:`` block:

- ``file``: ``mlmon registry sync`` writes the facts into a YAML file next to the spec
  (deterministic, reviewed in a pull request); ``mlmon generate`` reads it and writes the facts
  into the rules as constants.
- ``exporter``: ``mlmon registry serve`` polls the registry and exposes the facts as Prometheus
  series; the rules read those, so a promotion is seen within one scrape.

Pure modules (no I/O, part of the core): ``config`` (the block), ``fileformat`` (the file),
``facts`` (what the registry says about one model -> the file's entry), ``link`` (a model's
registry facts for the rules), ``exposition`` (the exporter's text). Shell modules: ``client``
(MLflow's REST API over HTTP), ``sync`` and ``exporter``. Importing this package imports none
of them.
"""
