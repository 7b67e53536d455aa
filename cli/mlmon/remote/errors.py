"""The two ways a target fails (leaf module: the HTTP client, the lock and the targets raise them)."""

from __future__ import annotations


class RemoteError(Exception):
    """A server could not be reached or answered wrongly (exit code 2). Message names the server."""


class ApplyError(Exception):
    """An apply step failed; ``rolled_back`` says whether the previous state was restored."""

    def __init__(self, message: str, rolled_back: bool):
        super().__init__(message)
        self.rolled_back = rolled_back
