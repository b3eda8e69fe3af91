"""The documents of a long brief (pdfs/parts.py) rendered side by side, in processes forked from
the one rendering the brief: WeasyPrint lays out and writes one document on one CPU, so a
200-page brief in parts took its whole time on one core while the other stayed idle.

A forked process starts with what the worker has already loaded (Django, WeasyPrint, the
parsed print stylesheet and its fonts, shared copy-on-write), renders documents one after
the other, taking the next from a queue as it is done (the largest first), and sends back
their PDF bytes and anchors through files; it touches neither the database nor
the cache (the HTML is made before the fork, and a query from a child fails at once rather than
sharing the parent's connection). So at most BRIEFDESK_PDF_RENDER_PROCESSES documents are in
memory at once, each freed before its process takes the next, and all of it when the process
exits. With one process, or where fork is not available, the documents are rendered one after
the other in this process, as before; the bytes are the same either way
(pdfs/tests/test_long_brief.py)"""

import contextlib
import gc
import logging
import os
import pickle
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from django.conf import settings

from .rendering import render_document

logger = logging.getLogger(__name__)

# Whether this process has rendered a document (see render_documents).
_warm = False
# How often the parent looks for render processes that have ended.
POLL_SECONDS = 0.02


def render_documents(documents: list[tuple[str, dict]]) -> list:
    """Each (html, render_document keyword arguments) of ``documents`` as a RenderedDocument,
    in order."""
    processes = min(settings.BRIEFDESK_PDF_RENDER_PROCESSES, len(documents))
    if processes <= 1 or not hasattr(os, "fork"):
        return [_render(html, options) for html, options in documents]
    if not _warm:
        # Once per process, the smallest document here first: the processes forked from then
        # on start with the fonts and glyphs it loaded (each child would otherwise load them).
        documents = list(documents)
        smallest = min(range(len(documents)), key=lambda index: len(documents[index][0]))
        first = _render(*documents[smallest])
        rest = render_documents(documents[:smallest] + documents[smallest + 1 :])
        return [*rest[:smallest], first, *rest[smallest:]]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="briefdesk-pdf-") as folder:
        outcomes = _render_forked(documents, processes, Path(folder))
    logger.info(
        "Rendered %s documents (%s pages) in %s processes side by side in %.2fs",
        len(outcomes),
        sum(document.page_count for document in outcomes),
        processes,
        time.perf_counter() - started,
    )
    return outcomes


# Forked by hand rather than through multiprocessing or concurrent.futures: both refuse to start
# processes from a Celery pool process ("daemonic processes are not allowed to have children").
def _render_forked(documents, processes, folder):
    """Fork ``processes`` children that render ``documents`` (which they have through the fork,
    not a pickled copy) into files of ``folder``, taking them one at a time, largest first, from
    a queue (a pipe of their indexes): a child that is done takes the next, so that neither
    waits on an estimate of the other's share, and keeps what it warmed (glyphs, fonts)."""
    count = len(documents)
    queue, feed = os.pipe()
    try:
        # Written whole before the fork (a few bytes a document, within the pipe's buffer),
        # then closed, so that a child reading the empty queue finds its end.
        for index in sorted(range(count), key=lambda index: -len(documents[index][0])):
            os.write(feed, index.to_bytes(INDEX_BYTES, "big"))
    finally:
        os.close(feed)
    running = set()
    parent = os.getpid()
    try:
        for _ in range(processes):
            pid = os.fork()
            if pid == 0:
                _child(documents, queue, folder, parent)
            running.add(pid)
        os.close(queue)
        queue = None
        while running:
            time.sleep(POLL_SECONDS)
            for pid in list(running):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    running.discard(pid)
                    if status:
                        raise RuntimeError(_failure(folder, status))
    finally:
        if queue is not None:
            os.close(queue)
        # A failed document, or the task's time limit: the others stop now rather than render
        # on for nothing.
        for pid in running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    return [_outcome(folder, index) for index in range(count)]


# The size of an index in the queue: a pipe's reads of a few bytes are whole (pipe(7)).
INDEX_BYTES = 4


def _child(documents, queue, folder, parent):
    """The forked process: render the documents whose indexes it takes from ``queue``, one
    after the other, each pickled to a file of ``folder`` named by its index; at the first
    error, write it to a file ``error-<pid>`` and stop (exit status 2); exit without running
    the parent's exit handlers (os._exit, so it never returns)."""
    code = 1
    try:
        _in_child(parent)
        while taken := os.read(queue, INDEX_BYTES):
            index = int.from_bytes(taken, "big")
            try:
                outcome = _render(*documents[index])
            except BaseException as error:
                with open(folder / f"error-{os.getpid()}", "wb") as file:
                    message = f"{type(error).__name__}: {error}"
                    pickle.dump((message, traceback.format_exc()), file)
                code = 2
                return
            with open(folder / str(index), "wb") as file:
                pickle.dump(outcome, file, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    finally:
        os._exit(code)


def _failure(folder, status):
    """The error of a child that ended with ``status`` other than 0: the one it wrote, or how
    it ended."""
    for path in folder.glob("error-*"):
        with open(path, "rb") as file:
            message, trace = pickle.load(file)
        logger.error("A PDF render process failed:\n%s", trace)
        return f"A PDF render process failed: {message}"
    how = (
        f"killed by signal {os.WTERMSIG(status)}, out of memory or stopped"
        if os.WIFSIGNALED(status)
        else f"exit status {os.waitstatus_to_exitcode(status)}"
    )
    return f"A PDF render process ended without its document ({how})."


def _outcome(folder, index):
    """The RenderedDocument of document ``index``, which a child has written."""
    path = folder / str(index)
    if not path.exists():
        raise RuntimeError("A PDF render process ended without its document.")
    with open(path, "rb") as file:
        return pickle.load(file)


def _render(html, options):
    global _warm
    document = render_document(html, **options)
    _warm = True
    gc.collect()  # the document's boxes (cyclic) before the next one is laid out
    return document


def _in_child(parent):
    """Set up a forked render process: it dies with the process that forked it (a worker killed
    at its hard time limit takes its renders with it), and refuses to query the database."""
    from django.db import connections

    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1  # prctl(2); no maintained library wraps this one call
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the signal was set
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for alias in connections:
        connections[alias].execute_wrappers.append(_no_queries)


def _no_queries(execute, sql, params, many, context):
    raise RuntimeError(
        "A PDF render process queried the database: it shares its parent's connection. "
        "Make what the template needs before pdfs.processes.render_documents."
    )
