"""Targets in file mode (Prometheus, Alertmanager): mlmon writes files the server loads, then asks
it to reload (``POST /-/reload``), reads the reload status and the loaded state back, and puts the
previous files back (and reloads again) when any of that fails.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mlmon.plan import Change
from mlmon.remote.base import ApplyOptions, Target
from mlmon.remote.errors import ApplyError, RemoteError


def load_yaml(data: str | bytes) -> Any:
    import yaml

    return yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class FileTarget(Target):
    """``apply`` in file mode. ``location`` is what the server loads: its config folder
    (Prometheus) or file (Alertmanager), from the setting ``SETTING``; None when only ``plan`` is
    wanted. Subclasses supply the nouns and the steps (``_install`` returns what ``_restore`` and
    ``_finish`` need)."""

    SETTING = ""  # "config_dir", "config_file"
    MISSING = ""  # the message when apply needs the location and it was not given
    LIVE = ""  # what the plan compared: "rules", "configuration"
    FILES = ""  # what is written and reloaded: "rule files", "configuration"
    RELOAD_METRIC = ""  # the gauge in /metrics that says whether the last reload worked
    RELOAD_FAILED = ""  # the failure when that gauge says no

    def __init__(self, url: str, location: Path | str | None = None, **kwargs: Any):
        super().__init__(url, **kwargs)
        self.location = Path(location) if location else None

    @classmethod
    def options(cls, settings: Mapping[str, Any]) -> dict[str, Any]:
        return {"location": settings.get(cls.SETTING)}

    @property
    def required_location(self) -> Path:
        if self.location is None:
            raise RemoteError(self.MISSING)
        return self.location

    # --- steps (subclasses) ----------------------------------------------------------------
    def _check_writable(self) -> None:
        """Raise RemoteError when the files cannot be written here."""

    def _install(self, generated: Path) -> Any:
        raise NotImplementedError

    def _restore(self, previous: Any) -> None:
        raise NotImplementedError

    def _finish(self, previous: Any) -> None:
        """After success or a complete rollback."""

    def _verify(self, generated: Path) -> str | None:
        """A failure text when the loaded state is not the generated one."""
        raise NotImplementedError

    def _explain(self, failure: str) -> str:
        return failure

    def _back_on_disk(self) -> str:
        raise NotImplementedError

    def _applied(self, generated: Path) -> str:
        raise NotImplementedError

    # --- reload ----------------------------------------------------------------------------
    def _reload_ok(self) -> bool | None:
        text = self.client.get("/metrics", what="reading /metrics").text
        m = re.search(rf"^{self.RELOAD_METRIC}(?:\{{[^}}]*\}})? (\S+)$", text, re.M)
        return None if m is None else float(m.group(1)) == 1.0

    def _reload_ok_or_false(self) -> bool:
        try:
            return bool(self._reload_ok())
        except RemoteError:
            return False

    def _reload(self, why: str) -> str | None:
        """POST /-/reload. Returns None on success, a reason when it failed. A lost answer is
        not a failure by itself: the reload status read afterwards decides."""
        try:
            self.client.post("/-/reload", what=f"reload ({why})")
            return None
        except RemoteError as exc:
            if "HTTP " in str(exc):
                return self.local(exc)
            return None if self._reload_ok_or_false() else self.local(exc)

    # --- apply -----------------------------------------------------------------------------
    def apply(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> Sequence[str]:
        if not changes:
            return [self.at("no changes")]
        self._check_writable()
        if self._reload_ok() is False:
            raise RemoteError(self.at("the server's last reload failed before mlmon touched it; fix its configuration first"))
        if list(self.plan(generated)) != list(changes):
            raise ApplyError(self.at(f"live {self.LIVE} changed since the plan was made; nothing written, run again"), rolled_back=True)
        previous = self._install(generated)
        failure = self._reload(f"loading the new {self.FILES}")
        if failure is not None:
            failure = self._explain(failure)
        elif not self._reload_ok_or_false():
            failure = self.RELOAD_FAILED
        else:
            failure = self._verify(generated)
        if failure is not None:
            self._restore(previous)
            again = self._reload(f"restoring the previous {self.FILES}")
            if again is not None or not self._reload_ok_or_false():
                raise ApplyError(
                    self.at(f"{failure}; {self._back_on_disk()} failed ({again or 'reload status false'}): run `mlmon diff`"),
                    rolled_back=False,
                )
            self._finish(previous)
            raise ApplyError(self.at(f"{failure}; restored the previous {self.FILES} and reloaded"), rolled_back=True)
        self._finish(previous)
        return [self.at(self._applied(generated))]
