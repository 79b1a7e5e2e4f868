"""Markdown rendered in child processes with a deadline, so no document takes unbounded time."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import resource
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TypeVar

from folio.content.render import Rendered, render

T = TypeVar("T")
# Never plain fork: a web worker has threads, and a forked lock may be held forever.
_context = multiprocessing.get_context("forkserver")
#: How much lower than the web workers' the render processes' CPU priority is.
NICENESS = 10
#: Preloaded first by the fork server, to lower its priority before it imports anything.
LOWER_PRIORITY = "folio.content.lowpriority"
#: A render that used less CPU than its deadline is waited for up to this many times
#: the deadline (the machine was busy), then refused all the same.
_STARVED_LIMIT = 6
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_GRACE = 1.0  # seconds a child has to leave before it is killed
_WARM_UP = 30.0  # seconds a new child may take to be ready
_REASON_CHARS = 300
_OUT_OF_MEMORY = 75  # a child's exit code: its memory limit was reached outside render()


class RenderRefused(Exception):
    """A document not rendered in time or at all; str() is why, for logs and `flask check`."""


class RendererDied(RenderRefused):
    """The renderer process ended during a render: perhaps the document's doing, perhaps not."""


@dataclass(frozen=True)
class Job:
    """Another bounded task for a child than rendering: a module-level function and its
    arguments (both picklable); its result is sent back as it is."""

    function: Callable[..., object]
    args: tuple[object, ...]


def _serve(
    conn: Connection, options: dict[str, object], memory_mb: int | None, niceness: int
) -> None:
    """Answer each source read from conn with a pickled Rendered or reason (and each Job
    with its result or reason), until conn closes."""
    # Ctrl-C at a terminal reaches the whole process group; the pool alone ends its children.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Background work: a backlog of bodies must not slow the pages visitors are waiting for.
    # (`niceness`: the web worker's plus NICENESS; a fork server lowered it already.)
    with contextlib.suppress(OSError):
        if (now := os.nice(0)) < niceness:
            os.nice(niceness - now)
    if memory_mb is not None:
        _limit_memory(memory_mb * 2**20)
    renderer: Callable[..., Rendered] = render
    # Markdown's first instance costs ~60 ms (it scans entry points): not part of any deadline.
    # A failure here recurs, and is reported, on the first real render.
    with contextlib.suppress(Exception):
        renderer("", **options)
    reply = b""  # the first message says the child is ready: deadlines start from here
    while True:
        try:
            conn.send_bytes(reply)
            source = conn.recv()
        except (EOFError, OSError):
            return  # the pool closed its end, or is gone: time to leave
        except MemoryError:
            raise SystemExit(_OUT_OF_MEMORY) from None  # the rest of the message is unread
        try:
            if isinstance(source, Job):
                reply = pickle.dumps(source.function(*source.args))
            else:
                reply = pickle.dumps(renderer(source, **options))
        except Exception as error:  # a document's failure is its reason, not the child's end
            message = str(error)[:_REASON_CHARS]
            reason = f"{type(error).__name__}: {message}" if message else type(error).__name__
            reply = pickle.dumps(reason)


def _limit_memory(limit: int) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _cpu_seconds(pid: int | None) -> float | None:
    """CPU time a process has used so far (Linux); None where it cannot be told."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:  # noqa: PTH123
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, ValueError, IndexError):
        return None  # the wall clock decides


def _death(exitcode: int | None) -> str:
    if exitcode == _OUT_OF_MEMORY:
        return "the renderer process ran out of memory"
    if exitcode is None:
        return "the renderer process stopped answering"
    if exitcode < 0:
        return f"the renderer process died: {signal.strsignal(-exitcode) or -exitcode}"
    return f"the renderer process exited with code {exitcode}"


@dataclass(eq=False)
class _Child:
    """One rendering process and the parent's end of its pipe."""

    process: BaseProcess
    conn: Connection
    ready: bool = False

    @classmethod
    def spawn(cls, options: dict[str, object], memory_mb: int | None) -> _Child:
        ours, theirs = _context.Pipe()
        process = _context.Process(
            target=_serve,
            args=(theirs, options, memory_mb, os.nice(0) + NICENESS),
            name="folio-render",
            daemon=True,
        )
        process.start()
        theirs.close()  # the child holds its own copy; ours must go for EOF to reach us
        return cls(process, ours)

    def retire(self, *, busy: bool) -> None:
        """End the process: idle, it leaves when its pipe closes; busy, it is terminated."""
        self.conn.close()
        if busy:
            self.process.terminate()
        self.process.join(_GRACE)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.process.close()


class RenderPool:
    """Long-lived child processes that render Markdown, each render bounded by a deadline."""

    def __init__(
        self,
        *,
        processes: int = 1,
        timeout: float = 5.0,
        options: Mapping[str, object] | None = None,
        memory_mb: int | None = 1024,
    ) -> None:
        if processes < 1 or timeout <= 0:
            raise ValueError("a render pool needs one process or more and a positive timeout")
        self.processes = processes
        self.timeout = timeout
        self.options = dict(options or {})
        self.memory_mb = memory_mb
        self._changed = threading.Condition()
        self._idle: list[_Child] = []
        self._busy: set[_Child] = set()
        self._live = 0  # children started and not yet retired
        self._running = False

    @property
    def running(self) -> bool:
        """Whether the pool was started (and not stopped since)."""
        return self._running

    def start(self) -> None:
        """Start the child processes; does nothing if they are running."""
        with self._changed:
            if self._running:
                return
            # Children fork from a server that has imported the renderer (and, as multiprocessing
            # does by default, the main module): each is ready in milliseconds. This takes effect
            # only if nothing in this process has started the fork server already.
            _context.set_forkserver_preload([LOWER_PRIORITY, "__main__", __name__])
            self._running = True
            self._fill()

    def stop(self) -> None:
        """Stop and join every child, killing any that is rendering; does nothing if stopped."""
        with self._changed:
            if not self._running:
                return
            self._running = False
            idle, self._idle = self._idle, []
            for child in self._busy:
                child.process.kill()  # its render() sees the pipe close and retires it
            self._changed.notify_all()
        for child in idle:
            self._retire(child, busy=False)
        with self._changed:
            self._changed.wait_for(lambda: self._live == 0)

    def render(self, source: str) -> Rendered:
        """Render source in a child within the timeout; raise RenderRefused if it cannot.

        A renderer that dies (killed from outside, out of memory once) is tried again on a
        fresh one: only a document that kills two renderers is refused for it.
        """
        try:
            return self._render_once(source, Rendered)
        except RendererDied:
            return self._render_once(source, Rendered)

    def run(self, job: Job, expected: type[T]) -> T:
        """Run a job in a child within the timeout; RenderRefused when it cannot, or when
        its result is not of the `expected` type (it is then the job's reason for failing).
        Like a render, tried again on a fresh child when the first one dies."""
        try:
            return self._render_once(job, expected)
        except RendererDied:
            return self._render_once(job, expected)

    def _render_once(self, source: str | Job, expected: type[T]) -> T:
        child = self._take()
        try:
            reply = self._exchange(child, source)
        except BaseException:
            # The child may still be working, or answer later: it must never render again.
            self._retire(child, busy=True)
            raise
        if isinstance(reply, expected):
            self._give_back(child)
            return reply
        # A render that raised may leave the renderer broken (Markdown keeps its parser's
        # list state, and the next document loses its paragraphs): this child is done.
        self._retire(child, busy=False)
        raise RenderRefused(f"cannot be rendered: {reply}")

    def __enter__(self) -> RenderPool:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _exchange(self, child: _Child, source: str | Job) -> object:
        try:
            if not child.ready:
                # Like waiting for a free child, waiting for a new one to warm up is not rendering.
                if not child.conn.poll(_WARM_UP):
                    raise RendererDied(f"the renderer process did not start in {_WARM_UP:g} s")
                child.conn.recv_bytes()
                child.ready = True
            started = time.monotonic()
            spent = _cpu_seconds(child.process.pid)
            child.conn.send(source)
            # The deadline is the child's own time: a busy machine (the child runs at a
            # lower priority) makes a render wait, which is not the document's doing.
            wait = self.timeout
            while not child.conn.poll(wait):
                elapsed = time.monotonic() - started
                now = _cpu_seconds(child.process.pid)
                used = now - spent if now is not None and spent is not None else elapsed
                if used >= self.timeout or elapsed >= self.timeout * _STARVED_LIMIT:
                    raise RenderRefused(f"took longer than {self.timeout:g} s to render")
                wait = max(0.05, self.timeout - used)
            # Our own child wrote it; Connection.recv() would unpickle it just the same.
            return pickle.loads(child.conn.recv_bytes())  # noqa: S301
        except (EOFError, OSError) as error:
            if not self._running:
                raise RuntimeError("the render pool was stopped during a render") from error
            child.process.join(_GRACE)
            raise RendererDied(_death(child.process.exitcode)) from error

    def _take(self) -> _Child:
        # Waiting for a free child is not part of any render's deadline.
        with self._changed:
            self._changed.wait_for(
                lambda: self._idle or not self._running or self._live < self.processes
            )
            if not self._running:
                raise RuntimeError("the render pool is not running: call start() first")
            if not self._idle:
                self._fill()  # a replacement that failed to start earlier
            child = self._idle.pop()
            self._busy.add(child)
            return child

    def _give_back(self, child: _Child) -> None:
        with self._changed:
            self._busy.discard(child)
            if self._running:
                self._idle.append(child)
                self._changed.notify()
                return
        self._retire(child, busy=True)  # stop() came while it rendered

    def _retire(self, child: _Child, *, busy: bool) -> None:
        with self._changed:
            self._busy.discard(child)  # from now on stop() leaves it to this thread
        child.retire(busy=busy)
        with self._changed:
            self._live -= 1
            self._changed.notify_all()
            if self._running:
                self._fill()

    def _fill(self) -> None:
        # The caller holds the lock.
        while self._live < self.processes:
            self._idle.append(_Child.spawn(self.options, self.memory_mb))
            self._live += 1
            self._changed.notify()
