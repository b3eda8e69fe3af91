"""The documents of a long brief (pdfs/parts.py) rendered side by side, in processes forked from
the one rendering the brief: WeasyPrint lays out and writes one document on one CPU, so a
200-page brief in parts took its whole time on one core while the other stayed idle.

A forked process starts with what the worker has already loaded (Django, WeasyPrint, the
parsed print stylesheet and its fonts, shared copy-on-write), renders its share of the
documents one after the other (the largest first, each to the process with the least to do),
and sends back their PDF bytes and anchors through files; it touches neither the database nor
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
    """Fork ``processes`` children, each rendering its share of ``documents`` (which it has
    through the fork, not a pickled copy) into files of ``folder``: the largest documents first,
    each to the child with the least to do so far (a child keeps what it warmed, glyphs and
    fonts, from one document to the next)."""
    count = len(documents)
    shares = [[] for _ in range(processes)]
    for index in sorted(range(count), key=lambda index: -len(documents[index][0])):
        min(shares, key=lambda share: sum(len(documents[i][0]) for i in share)).append(index)
    running = {}  # pid: the indexes of its documents
    rendered = {}
    parent = os.getpid()
    try:
        for share in shares:
            pid = os.fork()
            if pid == 0:
                _child([(index, documents[index]) for index in share], folder, parent)
            running[pid] = share
        while running:
            time.sleep(POLL_SECONDS)
            for pid, share in list(running.items()):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    del running[pid]
                    rendered.update(_outcomes(share, folder, status))
    finally:
        # A failed document, or the task's time limit: the others stop now rather than render
        # on for nothing.
        for pid in running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    return [rendered[index] for index in range(count)]


def _child(share, folder, parent):
    """The forked process: render the (index, document) of ``share`` one after the other, each
    pickled (or its error) to a file of ``folder``; stop at the first error; exit without
    running the parent's exit handlers (os._exit, so it never returns)."""
    code = 1
    try:
        _in_child(parent)
        for index, (html, options) in share:
            try:
                outcome = ("document", _render(html, options))
            except BaseException as error:
                outcome = ("error", f"{type(error).__name__}: {error}", traceback.format_exc())
            with open(folder / str(index), "wb") as file:
                pickle.dump(outcome, file, protocol=pickle.HIGHEST_PROTOCOL)
            if outcome[0] == "error":
                break
        code = 0
    finally:
        os._exit(code)


def _outcomes(share, folder, status):
    """{index: RenderedDocument} of the documents a child has ended with, or RuntimeError."""
    outcomes = {}
    for index in share:
        path = folder / str(index)
        if not path.exists():
            how = (
                f"killed by signal {os.WTERMSIG(status)}, out of memory or stopped"
                if os.WIFSIGNALED(status)
                else f"exit status {os.waitstatus_to_exitcode(status)}"
            )
            raise RuntimeError(f"A PDF render process ended without its document ({how}).")
        with open(path, "rb") as file:
            outcome = pickle.load(file)
        if outcome[0] == "error":
            logger.error("A PDF render process failed:\n%s", outcome[2])
            raise RuntimeError(f"A PDF render process failed: {outcome[1]}")
        outcomes[index] = outcome[1]
    return outcomes


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
