"""Where a site's content files are, and how to tell that one changed without reading it.

The layout: `about.md` and `site.yml` at the top, posts under `posts/` and standalone
pages under `pages/` (in folders of any depth; hidden files and folders are skipped).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from stat import S_ISREG
from typing import Literal

#: mtime in nanoseconds, size, inode: any edit, replace or touch changes one of them.
Fingerprint = tuple[int, int, int]
Kind = Literal["post", "page"]
FOLDERS: tuple[tuple[str, Kind], ...] = (("posts", "post"), ("pages", "page"))


def content_files(root: Path) -> Iterator[tuple[str, Fingerprint, Kind]]:
    """Every content file with its fingerprint and kind, about.md first, then by name."""
    top = str(root)
    inside = os.path.realpath(top) + os.sep
    about = os.path.join(top, "about.md")
    if inside_root(about, inside) and (found := fingerprint(about)) is not None:
        yield about, found, "page"
    for folder, kind in FOLDERS:
        for entry in _markdown_files(os.path.join(top, folder)):
            if entry.is_symlink() and not inside_root(entry.path, inside):
                continue  # a link to a file elsewhere on the machine is not content
            try:
                stat = entry.stat()
            except OSError:
                continue  # deleted while we looked, or a dangling link
            yield entry.path, (stat.st_mtime_ns, stat.st_size, stat.st_ino), kind


def content_file(root: Path, path: str) -> tuple[str, Fingerprint, Kind] | None:
    """`path` as `content_files` would list it, or None when it is not (or no longer) one."""
    top = str(root)
    name = relative_name(path, top)
    parts = name.split("/")
    kinds = dict(FOLDERS)
    kind: Kind
    if name == "about.md":
        kind = "page"
    elif len(parts) > 1 and parts[0] in kinds and name.endswith(".md"):
        if any(part.startswith(".") for part in parts):
            return None
        kind = kinds[parts[0]]
    else:
        return None
    if not inside_root(path, os.path.realpath(top) + os.sep):
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None  # gone, or a dangling link
    if not S_ISREG(stat.st_mode):
        return None
    return path, (stat.st_mtime_ns, stat.st_size, stat.st_ino), kind


def relative_name(path: str, root: str | Path) -> str:
    """A path as the site owner knows it: relative to the content folder, with "/"."""
    return namer(root)(path)


def namer(root: str | Path) -> Callable[[str], str]:
    """`relative_name` for many paths under one root (a worker names every file it loads)."""
    prefix = f"{root}{os.sep}"
    start = len(prefix)

    def name(path: str) -> str:
        if path.startswith(prefix):  # the usual case, without relpath's normalising (~30 µs)
            return path[start:] if os.sep == "/" else path[start:].replace(os.sep, "/")
        return os.path.relpath(path, root).replace(os.sep, "/")

    return name


def inside_root(path: str, inside: str) -> bool:
    """Whether path, symbolic links resolved, is a file under `inside` (a folder + os.sep)."""
    return os.path.realpath(path).startswith(inside)


def folders(root: Path) -> list[str]:
    """The content folder and every visible folder that can hold posts or pages."""
    found = [str(root)]
    for top, _ in FOLDERS:
        for folder, children, _ in os.walk(root / top):
            children[:] = sorted(c for c in children if not c.startswith("."))
            found.append(folder)
    return found


def fingerprint(path: str) -> Fingerprint | None:
    """A file's fingerprint, or None when it is missing."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def version(found: Fingerprint | None) -> str:
    """A fingerprint as the short text kept in the index."""
    return "-".join(f"{part:x}" for part in found) if found else ""


def _markdown_files(folder: str) -> Iterator[os.DirEntry[str]]:
    """Markdown files under folder, sorted, skipping hidden files and folders."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _markdown_files(entry.path)
        elif entry.name.endswith(".md"):
            yield entry
