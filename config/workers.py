"""Real `celery worker` processes for the tests and the benchmarks.

Both need a worker that runs exactly as in production (prefork pool, one child, acks late) on
a given broker and database, that they can wait for, read the log of, kill parts of and stop;
celery's own `celery.contrib.testing.worker` runs the worker in a thread of the calling process
instead, which shares its database connections and cannot lose a pool child to SIGKILL."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def database_url(settings_dict):
    """The DATABASE_URL of a Django database settings dict (e.g. the test database's)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    auth = settings_dict["USER"] or ""
    if settings_dict["PASSWORD"]:
        auth += f":{settings_dict['PASSWORD']}"
    host = f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{settings_dict['NAME']}"


class WorkerProcess:
    """`celery -A config worker --pool prefork --concurrency 1` in a session of its own.

    ``env`` is added to this process's environment (DATABASE_URL, CELERY_BROKER_URL,
    MEDIA_ROOT…); the output goes to ``log_path``, appended, so that a restarted worker keeps
    one log."""

    def __init__(self, log_path, *, env=None, name="worker", loglevel="INFO"):
        self.log_path = Path(log_path)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "config.settings.dev"
            ),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.name = name
        self.loglevel = loglevel
        self.process = None

    def start(self, timeout=60):
        """Start the worker and wait until it says it is ready."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        ready_before = self.log().count("ready.")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool",
                    "prefork",
                    "--concurrency",
                    "1",
                    "--loglevel",
                    self.loglevel,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    # Every queue (the default one and OCR's), as the tests and benchmarks
                    # need one worker to run any task.
                    "--queues",
                    "celery,ocr",
                    "--hostname",
                    f"{self.name}-{uuid.uuid4().hex[:6]}@%h",
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready(time.monotonic() + timeout, ready_before)
        return self

    def wait_ready(self, deadline, ready_before=0):
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker exited early:\n{self.log()[-3000:]}")
            if self.log().count("ready.") > ready_before:
                return
            time.sleep(0.2)
        raise RuntimeError(f"The worker did not start:\n{self.log()[-3000:]}")

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def children(self):
        """The pids of the pool processes."""
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def stop(self, timeout=30):
        """Warm shutdown (SIGTERM to the whole session), SIGKILL if it takes too long."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
