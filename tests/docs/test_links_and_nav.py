"""Every relative link in README.md, CONTRIBUTING.md and docs/ resolves (files, and #anchors in
Markdown files), and every page of docs/ is in the site's navigation."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from tests.conftest import REPO

DOCS = REPO / "docs"
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HREF = re.compile(r"""<a\s[^>]*href=["']([^"']+)["']""")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
EXPLICIT_ID = re.compile(r"\{[^}]*#([\w-]+)[^}]*\}\s*$")
HTML_ID = re.compile(r"""<a\s[^>]*(?:id|name)=["']([^"']+)["']""")
FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def documents() -> list[Path]:
    return [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted(DOCS.rglob("*.md"))]


def prose(text: str, spans: bool = True) -> list[str]:
    """The lines outside fenced code blocks, with inline code spans blanked (``spans``)."""
    out, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            out.append("")
            continue
        out.append("" if fenced else CODE_SPAN.sub("", line) if spans else line)
    return out


def links(text: str) -> list[tuple[int, str]]:
    found = []
    for n, line in enumerate(prose(text), 1):
        found += [(n, m) for m in LINK.findall(line) + HREF.findall(line)]
        ref = REF_DEF.match(line)
        if ref:
            found.append((n, ref.group(1)))
    return found


def _plain(heading: str) -> str:
    heading = EXPLICIT_ID.sub("", heading)
    heading = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links -> their text
    heading = re.sub(r"<[^>]+>", "", heading)
    return heading.replace("`", "").replace("*", "").strip()


def slugs(heading: str) -> set[str]:
    """The anchors a heading gets from mkdocs (Python-Markdown's toc) and from GitHub."""
    text = _plain(heading)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    mkdocs = re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_text).strip().lower())
    github = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
    return {mkdocs, github}


def anchors(path: Path) -> set[str]:
    out: set[str] = set()
    seen: dict[str, int] = {}
    for line in prose(path.read_text(encoding="utf-8"), spans=False):
        out |= set(HTML_ID.findall(line))
        m = HEADING.match(line)
        if not m:
            continue
        explicit = EXPLICIT_ID.search(m.group(2))
        if explicit:
            out.add(explicit.group(1))
        for s in slugs(m.group(2)):
            n = seen.get(s, 0)
            seen[s] = n + 1
            out |= {s} if n == 0 else {f"{s}_{n}", f"{s}-{n}"}  # duplicates: mkdocs _1, GitHub -1
    return out


def broken_links(files: list[Path], root: Path = REPO) -> list[str]:
    bad = []
    for doc in files:
        for line, target in links(doc.read_text(encoding="utf-8")):
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                continue  # http:, https:, mailto: ...
            where = f"{doc.relative_to(root)}:{line}: {target}"
            path_part, _, anchor = target.partition("#")
            dest = (doc.parent / path_part).resolve() if path_part else doc
            if not dest.exists():
                bad.append(f"{where}: no such file")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                bad.append(f"{where}: no heading or anchor #{anchor} in {dest.relative_to(root) if root in dest.parents else dest}")
    return bad


def test_every_relative_link_resolves():
    assert broken_links(documents()) == []


def test_the_link_checker_finds_broken_files_and_anchors(tmp_path):
    (tmp_path / "b.md").write_text("# Title\n\n## `code`: Two words >= 1.2\n\n## Again\n\n## Again\n")
    (tmp_path / "a.md").write_text(
        "[ok](b.md#title) [ok](b.md#code-two-words-12) [dup](b.md#again_1) [self](#top)\n"
        "# Top\n"
        "[gone](missing.md) [no anchor](b.md#nothing)\n"
        "```\n[in a fence](ignored.md)\n```\n"
        "`[in code](ignored.md)` [web](https://example.invalid/x.md)\n"
    )
    assert broken_links([tmp_path / "a.md"], tmp_path) == [
        "a.md:3: missing.md: no such file",
        "a.md:3: b.md#nothing: no heading or anchor #nothing in b.md",
    ]


def _nav_pages(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [p for item in node for p in _nav_pages(item)]
    if isinstance(node, dict):
        return [p for v in node.values() for p in _nav_pages(v)]
    return []


def test_every_page_is_in_the_navigation_and_every_entry_exists():
    nav = _nav_pages(yaml.safe_load((REPO / "mkdocs.yml").read_text())["nav"])
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert sorted(set(pages) - set(nav)) == [], "pages missing from mkdocs.yml nav"
    assert sorted(set(nav) - set(pages)) == [], "nav entries without a page"
    assert len(nav) == len(set(nav))
