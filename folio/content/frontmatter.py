"""A content file's text, front matter and body: size-limited, decoded, safe YAML."""

from __future__ import annotations

import os

import yaml
from frontmatter.default_handlers import YAMLHandler

from folio.content.plainyaml import quick_load

#: The C loader where libyaml is present: the same safe types, parsed several times faster.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML = YAMLHandler()
#: Front matter is a few keys and lists; deeper nesting only serves to exhaust the stack.
MAX_DEPTH = 16
#: libyaml's parser recurses in C: about 50,000 nested brackets crash the process (seen
#: with PyYAML 6.0.3), 20,000 do not. Real front matter is a few hundred bytes.
MAX_FRONT_MATTER = 16 * 1024  # python-frontmatter's handler: '---' fences
READ_CHUNK = 64 * 1024


class Unreadable(ValueError):
    """A file whose text or front matter cannot be used; the message says why."""


def read_text(path: str, max_bytes: int) -> str:
    """The file's text, refused when larger than max_bytes or not UTF-8.

    Read with the file's own size rather than `max_bytes` (a buffered read of 1 MB for
    each 2 KB post allocated and unmapped a megabyte per file: 55 of the 70 µs it cost),
    and until the end, in case the file grew after it was measured.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        size = os.fstat(fd).st_size
        chunks: list[bytes] = []
        got = 0
        want = min(size, max_bytes) + 1
        while size <= max_bytes and got <= max_bytes and (chunk := os.read(fd, want)):
            chunks.append(chunk)
            got += len(chunk)
            want = min(READ_CHUNK, max_bytes + 1 - got)  # it grew: read on, bounded
    finally:
        os.close(fd)
    if size > max_bytes or got > max_bytes:
        raise Unreadable(
            f"file is {max(size, got):,} bytes; the limit is {max_bytes:,} (MAX_CONTENT_FILE_BYTES)"
        )
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    try:
        return data.decode("utf-8-sig")  # a byte-order mark is dropped
    except UnicodeDecodeError as e:
        raise Unreadable(f"not UTF-8 text: {e}") from None


def split(text: str) -> tuple[object, str]:
    """Front matter (safe YAML) and body; a file without front matter has none."""
    if not _YAML.detect(text):
        return {}, text
    pieces = _YAML.FM_BOUNDARY.split(text, 2) if _YAML.FM_BOUNDARY else []
    if len(pieces) < 3:
        raise Unreadable("front matter opens with '---' but no closing '---' line follows")
    _, front, body = pieces
    return load_yaml(front, "front matter"), body


def load_yaml(text: str, what: str) -> object:
    """Safe YAML of bounded size and depth; Unreadable names `what` and the fault."""
    if len(text) > MAX_FRONT_MATTER:
        raise Unreadable(f"{what} is {len(text):,} characters; the limit is 16 KB")
    try:
        data = quick_load(text)  # the plainest front matter, as PyYAML would make it
        if data is None:
            data = yaml.load(text, Loader=SafeLoader) or {}  # noqa: S506 (a safe loader)
    except yaml.YAMLError as e:
        raise Unreadable(f"invalid YAML in {what}: {_one_line(e)}") from None
    except RecursionError:
        raise Unreadable(f"{what} is nested too deeply") from None
    # YAML's own constructors raise ValueError for values it recognises but cannot make,
    # such as the date 2024-02-30.
    except (ValueError, OverflowError) as e:
        raise Unreadable(f"invalid value in {what}: {_one_line(e)}") from None
    # Each level of nesting takes a bracket or a line of its own: most front matter
    # cannot nest too deeply, and is not walked.
    could_nest = text.count("[") + text.count("{") + text.count("\n") >= MAX_DEPTH
    if could_nest and _depth(data) > MAX_DEPTH:
        raise Unreadable(f"{what} is nested more than {MAX_DEPTH} levels deep")
    return data


def _depth(value: object) -> int:
    """How deeply lists and mappings nest, found without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, list | tuple):
            children = list(item)
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())
