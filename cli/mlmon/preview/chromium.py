"""Headless Chromium (Debian's ``chromium``): PNG screenshots of preview pages and their DOM after
the page's script ran. Each run gets a new empty profile folder and no network features."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mlmon.tools import INSTALL_HINTS, run, which

TOOL = "chromium"
INSTALL_HINTS.setdefault(TOOL, "install it with `apt-get install chromium` (Debian) or `make tools`")
FLAGS = (
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--font-render-hinting=none",
)


def available() -> bool:
    return which(TOOL) is not None


def _argv(profile: str, extra: list[str]) -> list[str]:
    sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium refuses to run as root with its sandbox
    return [*FLAGS, *sandbox, f"--user-data-dir={profile}", *extra]


def screenshot(html: Path, png: Path, width: int, height: int, timeout: float = 120.0) -> None:
    """Write a ``width`` x ``height`` PNG of the page (after its scripts ran)."""
    with tempfile.TemporaryDirectory(prefix="mlmon-chromium-") as profile:
        args = _argv(profile, [f"--screenshot={png.resolve()}", f"--window-size={width},{height}", "--virtual-time-budget=5000", html.resolve().as_uri()])
        res = run(TOOL, args, cwd=profile, timeout=timeout, merge=True)
    if res.returncode != 0 or not png.exists():
        raise RuntimeError(f"chromium could not take the screenshot (exit {res.returncode}): {res.stdout[-500:]}")


def dump_dom(html: Path, width: int, height: int, timeout: float = 120.0) -> str:
    """The page's DOM, serialised after its load handlers ran."""
    with tempfile.TemporaryDirectory(prefix="mlmon-chromium-") as profile:
        args = _argv(profile, ["--dump-dom", f"--window-size={width},{height}", "--virtual-time-budget=5000", html.resolve().as_uri()])
        res = run(TOOL, args, cwd=profile, timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError(f"chromium could not load the page (exit {res.returncode}): {res.stderr[-500:]}")
    return res.stdout
