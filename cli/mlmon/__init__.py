"""mlmon: monitoring-as-code for machine-learning models in production."""

from enum import IntEnum

__version__ = "0.1.0"


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # findings at/above --fail-on, stale output, changes under --exit-code, tool rejected output
    USAGE = 2  # bad usage, missing file or tool, HTTP/auth failure
    INTERNAL = 3
    INCONCLUSIVE = 4  # mlmon gate: the candidate cannot be judged yet (too few samples, no data)
