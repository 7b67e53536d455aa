"""A local staging stack on 127.0.0.1: real Prometheus and Alertmanager (Debian packages) loaded
with the output of ``mlmon generate`` for a spec, one demo model service per model, and a webhook
sink standing in for Slack, PagerDuty and the retraining hook.

Shell package (subprocesses, files, sockets), used by ``mlmon up`` and the end-to-end tests:
``processes`` (start, wait, stop by PID), ``sink`` (the webhook sink), ``config`` (the spec with local
settings, rendered as ``mlmon generate`` renders it; ``generated/`` is never touched), ``spec`` (the spec compiled
as ``mlmon generate`` does), ``stack`` (all of it together).
"""

from mlmon.stack.config import DUMMY_KEY, LOCAL_GROUP_INTERVAL, LOCAL_GROUP_WAIT, local_spec
from mlmon.stack.processes import HOST, Proc, StackError, free_port, http_json, missing_binaries, port_free
from mlmon.stack.sink import Notification, Sink
from mlmon.stack.spec import ModelInfo, read_specs
from mlmon.stack.stack import DemoOptions, Ports, Stack

__all__ = [
    "DUMMY_KEY",
    "HOST",
    "LOCAL_GROUP_INTERVAL",
    "LOCAL_GROUP_WAIT",
    "DemoOptions",
    "ModelInfo",
    "Notification",
    "Ports",
    "Proc",
    "Sink",
    "Stack",
    "StackError",
    "free_port",
    "http_json",
    "local_spec",
    "missing_binaries",
    "port_free",
    "read_specs",
]
