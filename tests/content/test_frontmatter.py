"""Reading a content file's text: its exact bytes, bounded, whatever its size says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from folio.content.frontmatter import READ_CHUNK, Unreadable, read_text


@pytest.mark.parametrize("size", [0, 1, 999, 1000, READ_CHUNK + 7])
def test_the_whole_file_is_read_up_to_the_limit(tmp_path: Path, size: int) -> None:
    path = tmp_path / "post.md"
    text = ("é" * size)[: size // 2] + "x" * (size - 2 * (size // 2))  # 2 bytes a letter
    path.write_text(text, encoding="utf-8")
    limit = max(1000, path.stat().st_size)
    assert read_text(str(path), limit) == text


def test_one_byte_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_bytes(b"a" * 1001)
    with pytest.raises(Unreadable, match="1,001 bytes; the limit is 1,000"):
        read_text(str(path), 1000)


def test_a_file_that_grew_after_it_was_measured_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "post.md"
    path.write_bytes(b"b" * (3 * READ_CHUNK))
    measured = os.stat_result((0,) * 6 + (10,) + (0,) * 3)  # st_size 10
    monkeypatch.setattr(os, "fstat", lambda fd: measured)
    assert read_text(str(path), 4 * READ_CHUNK) == "b" * (3 * READ_CHUNK)
    with pytest.raises(Unreadable, match="the limit is"):
        read_text(str(path), 2 * READ_CHUNK)  # grown past the limit: refused, not cut


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_bytes(b"\xef\xbb\xbf---\ntitle: T\n---\n")
    assert read_text(str(path), 1000) == "---\ntitle: T\n---\n"
