"""Live servers for `mlmon diff` and `mlmon apply`.

``base.Target`` is what every target shares (construction from ``TargetConfig``, messages, the apply
lock); ``filemode.FileTarget`` adds write-files-then-reload for ``prometheus`` and ``alertmanager``;
``grafana`` and ``mimir`` talk to their HTTP APIs. Comparison is on normalised values: ``promql``
(queries printed from the parsed tree), ``durations`` and ``rules`` (rule-file rules) serve every
target. ``http`` is the one HTTP client (timeouts, retries, auth from the environment, redaction).
"""
