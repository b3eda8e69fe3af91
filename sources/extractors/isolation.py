"""Run an extraction in a child process with a memory and a time limit.

A parser that blows up (a huge XML part, a pathological PDF) then fails that one file with a
clear :class:`IngestionError` instead of taking the Celery worker, and the other tasks it
would run, down with it. The child is forked (it inherits the loaded modules, so it starts in
milliseconds), limits its own address space with ``RLIMIT_AS`` and its CPU time with
``RLIMIT_CPU`` (so that it also ends if its parent is killed), and reports progress and its
result over a pipe.

Celery's ``worker_max_memory_per_child`` only replaces a pool process *after* a task went over
the limit, and its time limits do not bound memory: hence this small hand-written runner.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from .errors import IngestionError, ProgressCallback

_CPU_SLACK_SECONDS = 30


def _virtual_memory_bytes() -> int:
    """This process's current address space (VmSize), which the limit is added to."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(send, function, args, kwargs, max_memory_bytes, timeout) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    limit = _virtual_memory_bytes() + max_memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = int(timeout) + _CPU_SLACK_SECONDS
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))

    def on_page(done: int, total: int) -> None:
        send.send(("progress", done, total))

    try:
        result = function(*args, on_page=on_page, **kwargs)
    except MemoryError:
        send.send(("memory",))
    except BaseException as error:  # the parent re-raises it
        try:
            send.send(("error", error))
        except Exception:  # an exception that cannot be pickled
            send.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
    else:
        send.send(("ok", result))


def run_limited(
    function: Callable[..., Any],
    *args: Any,
    max_memory_bytes: int,
    timeout: float,
    on_page: ProgressCallback | None = None,
    **kwargs: Any,
) -> Any:
    """``function(*args, on_page=..., **kwargs)`` in a forked child.

    It may use ``max_memory_bytes`` more address space than this process has now, and run for
    ``timeout`` seconds. Its exceptions are re-raised here; going over the memory limit raises
    :class:`IngestionError` and over the time limit :class:`TimeoutError`. ``on_page`` is
    called here, in the parent, for each progress report of the child.

    A plain ``os.fork``: ``multiprocessing.Process`` refuses to start in a Celery pool process
    ("daemonic processes are not allowed to have children"); its Connection frames messages."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's stack
        code = 1
        try:
            os.close(read_fd)
            _child(
                Connection(write_fd, readable=False),
                function,
                args,
                kwargs,
                max_memory_bytes,
                timeout,
            )
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    receive = Connection(read_fd, writable=False)
    deadline = time.monotonic() + timeout
    status = None
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not receive.poll(remaining):
                raise TimeoutError(f"extraction took longer than {timeout:.0f} s")
            try:
                message = receive.recv()
            except EOFError:  # the child died without a word: killed (OOM, RLIMIT_CPU)
                status = os.waitpid(pid, 0)[1]
                raise _died_error(max_memory_bytes, os.waitstatus_to_exitcode(status)) from None
            kind = message[0]
            if kind == "progress":
                if on_page is not None:
                    on_page(message[1], message[2])
            elif kind == "ok":
                return message[1]
            elif kind == "memory":
                raise _died_error(max_memory_bytes, None)
            else:
                raise message[1]
    finally:
        receive.close()
        if status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _died_error(max_memory_bytes: int, exitcode: int | None) -> IngestionError:
    if exitcode is not None and exitcode < 0 and -exitcode == signal.SIGXCPU:
        return IngestionError(
            "Extraction of this file took longer than the time limit; the document may be too "
            "large: split it into smaller files."
        )
    megabytes = max_memory_bytes // 2**20
    return IngestionError(
        f"Extracting the text of this file needed more than {megabytes:,} MB of memory, the "
        "limit for one document. The document may be too large or malformed: split it into "
        "smaller files, or save it again and upload it again."
    )
