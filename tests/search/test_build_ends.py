"""A build in parts never outlives what it was for: stopping it (a worker's exit) or the
death of the process that runs it ends every part's process within a second or so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from app import ROOT
from folio.search.folder import BuildStopped, IndexFolder
from tests.search.conftest import doc, filler


@dataclass(frozen=True)
class Slow:
    """Documents that take a while, each part's process noting its pid in `marks`."""

    marks: str
    count: int = 400
    delay: float = 0.05
    first: int = 0  # the number of this part's first document

    def __len__(self) -> int:
        return self.count

    def documents(self, start: int, stop: int) -> Iterator[dict[str, object]]:
        Path(self.marks, str(os.getpid())).touch()
        for n in range(self.first + start, self.first + stop):
            time.sleep(self.delay)
            yield doc(n, filler(n))

    def part(self, start: int, stop: int) -> Slow:
        return replace(self, first=self.first + start, count=stop - start)


def part_pids(marks: Path, parts: int, limit: float = 30.0) -> list[int]:
    """The pids of the part processes, once each has started on its documents."""
    deadline = time.monotonic() + limit
    while len(found := list(marks.iterdir())) < parts:
        assert time.monotonic() < deadline, f"{len(found)} of {parts} parts started"
        time.sleep(0.02)
    return [int(p.name) for p in found]


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in {"Z", "X"}


def wait_gone(pids: list[int], limit: float = 5.0) -> list[int]:
    deadline = time.monotonic() + limit
    while (alive := [pid for pid in pids if running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def test_a_stopped_build_ends_its_parts_and_makes_nothing_live(tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    folder = IndexFolder(tmp_path / "index")
    stopped = threading.Event()
    pids: list[int] = []

    def stop_once_started() -> None:
        pids.extend(part_pids(marks, 2))
        stopped.set()

    stopper = threading.Thread(target=stop_once_started)
    stopper.start()
    began = time.monotonic()
    with pytest.raises(BuildStopped):
        folder.build(Slow(str(marks)), procs=2, per_process=100, stopped=stopped)
    stopper.join()
    assert time.monotonic() - began < 15  # the documents alone would take 10 s a part
    assert wait_gone(pids) == []
    assert folder.current_name() is None
    assert not list(folder.path.glob("gen-*"))


BUILDER = """
import sys
from pathlib import Path
from folio.search.folder import IndexFolder
from tests.search.test_build_ends import Slow
IndexFolder(Path(sys.argv[1])).build(Slow(sys.argv[2], delay=0.2), procs=2, per_process=100)
"""


def test_the_parts_end_when_the_building_process_is_killed(tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    command = [sys.executable, "-c", BUILDER, str(tmp_path / "index"), str(marks)]
    builder = subprocess.Popen(command, cwd=ROOT)
    try:
        pids = part_pids(marks, 2)
        builder.send_signal(signal.SIGKILL)  # as gunicorn ends a worker past its timeout
        builder.wait(10)
        assert wait_gone(pids) == []
        folder = IndexFolder(tmp_path / "index")
        assert len(list(folder.path.glob("gen-*"))) == 1  # what the build had written
        assert folder.sweep_unfinished() == 1
        assert not list(folder.path.glob("gen-*"))
    finally:
        if builder.poll() is None:
            builder.kill()
            builder.wait(10)


def test_only_generations_begun_after_the_live_one_are_unfinished(tmp_path: Path) -> None:
    folder = IndexFolder(tmp_path)
    folder.build([doc(n, filler(n)) for n in range(5)])
    live = str(folder.current_name())
    made = int(live.split("-")[1], 16)
    previous = folder.path / f"gen-{made - 1000:x}-1-v1"  # searchers may still read it
    unfinished = folder.path / f"gen-{made + 1000:x}-2-{live.rsplit('-', 1)[1]}"
    previous.mkdir()
    unfinished.mkdir()
    assert folder.sweep_unfinished() == 1
    assert sorted(p.name for p in folder.path.glob("gen-*")) == sorted([live, previous.name])
