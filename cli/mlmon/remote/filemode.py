"""Targets in file mode (Prometheus, Alertmanager): mlmon writes files the server loads, then asks
it to reload (``POST /-/reload``), reads the reload status and the loaded state back, and puts the
previous files back (and reloads again) when any of that fails.

Three states are compared, not two: what the server has **loaded** (its API), what is **on disk**
(the files it would load at the next reload or restart) and what is **generated**. A plan shows
the loaded state against the generated one, plus, when they differ, what is on disk but not
loaded (a failed or pending reload, an interrupted apply) and files that changed since mlmon wrote
them (edited by hand, or never written by mlmon): ``apply`` refuses to overwrite those without
``--force``, as it does for Grafana dashboards edited in the UI.

Every switch of files is journaled (``mlmon.remote.journal``): the next apply finishes or rolls back
one that was killed half-way. Subclasses say what the states are and how to switch between them.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlmon.plan import Change
from mlmon.remote import journal, signals
from mlmon.remote.base import ApplyOptions, Target
from mlmon.remote.errors import ApplyError, RemoteError

UNREADABLE = "<files on disk that do not parse>"


def load_yaml(data: str | bytes) -> Any:
    import yaml

    return yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@dataclass(frozen=True)
class Disk:
    """mlmon's files on disk: their normalised state, and whose they are: ``mlmon`` (as mlmon wrote
    them), ``edited`` (changed since), ``unknown`` (not written by mlmon)."""

    state: Any
    owner: str


def probe_writable(folder: Path, target: str) -> None:
    """RemoteError naming ``folder`` when a file cannot be created there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".mlmon-probe-")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise RemoteError(f"{target}: cannot write in {folder}: {exc.strerror or exc}. Nothing was changed.") from None


class FileTarget(Target):
    """``location`` is what the server loads: its config folder (Prometheus) or file (Alertmanager),
    from the setting ``SETTING``; None when only ``plan`` is wanted."""

    SETTING = ""  # "config_dir", "config_file"
    MISSING = ""  # the message when apply needs the location and it was not given
    LIVE = ""  # what the plan compared: "rules", "configuration"
    FILES = ""  # what is written and reloaded: "rule files", "configuration"
    RELOAD_METRIC = ""  # the gauge in /metrics that says whether the last reload worked
    RELOAD_FAILED = ""  # the failure when that gauge says no

    def __init__(self, url: str, location: Path | str | None = None, **kwargs: Any):
        super().__init__(url, **kwargs)
        self.location = Path(location) if location else None
        self.receipt: tuple[Any, ...] | None = None  # what undo() needs after a successful apply

    @classmethod
    def options(cls, settings: Mapping[str, Any]) -> dict[str, Any]:
        return {"location": settings.get(cls.SETTING)}

    @property
    def required_location(self) -> Path:
        if self.location is None:
            raise RemoteError(self.MISSING)
        return self.location

    # --- what subclasses say -----------------------------------------------------------------
    @property
    def journal_path(self) -> Path:
        raise NotImplementedError

    @property
    def where(self) -> str:
        """The files, for messages."""
        raise NotImplementedError

    def live(self) -> Any:
        """The loaded state, normalised."""
        raise NotImplementedError

    def desired(self, generated: Path) -> Any:
        raise NotImplementedError

    def compare(self, before: Any, after: Any) -> list[Change]:
        raise NotImplementedError

    def disk(self) -> Disk | None:
        """mlmon's files on disk; None when there are none."""
        raise NotImplementedError

    def state_of(self, token: str | None) -> Any:
        """The normalised state a journal token names (None: the state was lost)."""
        raise NotImplementedError

    def stage(self, generated: Path) -> tuple[str | None, str]:
        """Write the generated files next to the live ones, keep the live ones: (previous, new)."""
        raise NotImplementedError

    def restage(self) -> tuple[str | None, str]:
        """After a successful apply, the switch back: (the applied state, the state before)."""
        raise NotImplementedError

    def switch(self, token: str | None) -> None:
        """Make the state ``token`` the files the server loads (atomically)."""
        raise NotImplementedError

    def keep(self, previous: str | None, new: str, undo: bool = False) -> None:
        """After a switch that holds: records of what mlmon applied, clean-up."""

    def check_files(self, generated: Path) -> list[str]:
        """What promtool/amtool say about the generated files (problems; empty when fine)."""
        return []

    def check_writable(self) -> None:
        """RemoteError naming the path when the files cannot be written."""

    def applied(self, generated: Path) -> str:
        raise NotImplementedError

    def _explain(self, failure: str) -> str:
        return failure

    def back_on_disk(self) -> str:
        raise NotImplementedError

    # --- plan ----------------------------------------------------------------------------------
    def plan(self, generated: Path) -> Sequence[Change]:
        live = self.live()
        desired = self.desired(generated)
        changes = self.compare(live, desired)
        if self.location is None:
            return changes
        extra = []
        j = journal.read(self.journal_path)
        if j is not None:
            note = f"an apply ({j.describe()}) was interrupted; `mlmon apply` finishes or rolls it back first"
            extra.append(Change(self.name, "journal", str(self.journal_path), "change", detail=note))
        disk = self.disk()
        notes: list[str] = []
        children: tuple[Change, ...] = ()
        if disk is not None and disk.state != live:
            notes.append("on disk but not loaded by the server (a failed or pending reload, or an interrupted apply)")
            children = tuple(self.compare(live, disk.state))
        if disk is not None and disk.owner != "mlmon":
            notes.append(self.drift(disk, desired) or "equal to the generated files but not recorded as mlmon's; apply records them")
        if notes:
            extra.append(Change(self.name, "files", self.where, "change", detail="; ".join(notes), children=children))
        return extra + changes

    def drift(self, disk: Disk, desired: Any) -> str | None:
        """Why apply needs --force to overwrite what is on disk; None when it does not."""
        if disk.state == desired or disk.owner == "mlmon":
            return None
        if disk.owner == "edited":
            return "edited outside mlmon since the last apply; apply needs --force"
        return "not written by mlmon; `apply --force` takes over what is there"

    # --- preflight: every check before the first write -----------------------------------------
    def preflight(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> list[str]:
        _ = self.required_location  # RemoteError when not given
        self.check_writable()
        refusals = []
        if list(self.plan(generated)) != list(changes):
            refusals.append(self.at(f"the loaded {self.LIVE} or the files on disk changed since the plan was shown; run `mlmon diff` again"))
        disk = self.disk()
        why = self.drift(disk, self.desired(generated)) if disk is not None else None
        if why and not options.force:
            refusals.append(self.at(f"{self.where}: {why}. Review `mlmon diff`."))
        if self._reload_ok() is False and not options.force:
            refusals.append(
                self.at("the server's last reload failed before this apply; fix its configuration, or re-run with --force to replace mlmon's files")
            )
        return refusals + [self.at(p) for p in self.check_files(generated)]

    # --- reload --------------------------------------------------------------------------------
    def _reload_ok(self) -> bool | None:
        text = self.client.get("/metrics", what="reading /metrics").text
        m = re.search(rf"^{self.RELOAD_METRIC}(?:\{{[^}}]*\}})? (\S+)$", text, re.M)
        try:
            return None if m is None else float(m.group(1)) == 1.0
        except ValueError:
            return None

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

    def _load(self, desired: Any) -> str | None:
        """Reload and check: None when the server runs ``desired``, else the failure."""
        failure = self._reload(f"loading the new {self.FILES}")
        if failure is not None:
            return self._explain(failure)
        if not self._reload_ok_or_false():
            return self.RELOAD_FAILED
        try:
            live = self.live()
        except RemoteError as exc:
            return f"verification failed: {self.local(exc)}"
        if live != desired:
            names = ", ".join(f"{c.action} {c.kind} {c.name}" for c in self.compare(live, desired)[:5])
            return f"verification failed: after the reload the loaded {self.LIVE} still differ from the generated ones ({names})"
        return None

    # --- apply, undo, recover -------------------------------------------------------------------
    def apply(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> Sequence[str]:
        if not changes:
            return [self.at("no changes")]
        desired = self.desired(generated)
        before, ok_before = self.live(), self._reload_ok_or_false()
        previous, new = self._switch(*self.stage(generated), desired, before, ok_before)
        self.keep(previous, new)
        journal.end(self.journal_path)
        self.receipt = (before, ok_before, desired)
        return [self.at(self.applied(generated))]

    def undo(self) -> Sequence[str]:
        """Put back the state before the last successful apply (a later target failed)."""
        if self.receipt is None:
            return []
        before, ok_before, desired = self.receipt
        previous, new = self._switch(*self.restage(), before, desired, True, undo=True)
        self.keep(previous, new, undo=True)
        journal.end(self.journal_path)
        self.receipt = None
        return [self.at(f"restored the {self.FILES} from before this apply and reloaded")]

    def _switch(self, previous: str | None, new: str, want: Any, before: Any, ok_before: bool, undo: bool = False) -> tuple[str | None, str]:
        """Journal, switch to ``new``, reload and verify that the server runs ``want``; on any
        failure (a signal included) switch back to ``previous`` and raise ApplyError."""
        journal.begin(self.journal_path, self.name, self.url, previous, new)
        cause: BaseException | None = None
        try:
            self.switch(new)
            failure = self._load(want)
        except BaseException as exc:  # a signal, a write that failed, anything: roll back first
            cause, failure = exc, _failure(exc, self)
        if failure is None:
            return previous, new
        with signals.held():
            problem = self._restore(previous, before, ok_before)
        if problem is None:
            journal.end(self.journal_path)
            done = "put back the applied files and reloaded" if undo else f"restored the previous {self.FILES} and reloaded"
            raise ApplyError(self.at(f"{failure}; {done}"), rolled_back=True) from cause
        raise ApplyError(self.at(f"{failure}; {problem}"), rolled_back=False) from cause

    def _restore(self, previous: str | None, before: Any, ok_before: bool) -> str | None:
        """Switch back and reload; None when the server runs what it ran before, else the problem."""
        try:
            self.switch(previous)
            again = self._reload(f"restoring the previous {self.FILES}")
            now = self.live()
        except (RemoteError, OSError) as exc:
            return f"{self.back_on_disk()} failed ({self.local(exc)}): run `mlmon diff`"
        if now != before or (again is not None and ok_before):
            return f"{self.back_on_disk()} failed ({again or 'the loaded state differs from the one before'}): run `mlmon diff`"
        return None

    def recover(self) -> Sequence[str]:
        """Finish or roll back an apply that was killed half-way (its journal is still there)."""
        if self.location is None:
            return []
        j = journal.read(self.journal_path)
        if j is None:
            return []
        what = f"an interrupted apply ({j.describe()})"
        live = self.live()
        if self._reload_ok() is not False and live == self.state_of(j.new):
            self.keep(j.previous, j.new)
            journal.end(self.journal_path)
            return [self.at(f"{what} had loaded its new {self.FILES}: finished it")]
        want = self.state_of(j.previous)
        self.switch(j.previous)
        failure = self._load(want)
        if failure is not None:
            raise RemoteError(self.at(f"{what} could not be rolled back ({failure}); the journal {self.journal_path} is kept"))
        journal.end(self.journal_path)
        return [self.at(f"{what} is rolled back: the previous {self.FILES} are on disk and loaded")]


def _failure(exc: BaseException, target: Target) -> str:
    if isinstance(exc, signals.Interrupted):
        return f"interrupted by {exc.signame}"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted by SIGINT"
    if isinstance(exc, OSError) and exc.filename:
        return f"cannot write {exc.filename}: {exc.strerror or exc}"
    if isinstance(exc, (RemoteError, ApplyError)):
        return target.local(exc)
    return f"{type(exc).__name__}: {exc}"
