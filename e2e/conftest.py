"""The end-to-end harness: the production stack of `make stack`, started for the test session.

`stack` runs what `make stack` runs: `config.stack.prepare` (create the database, migrate,
collectstatic, load the demo: the compose `migrate` service), then every line of Procfile.stack
(gunicorn, a Celery worker, Celery beat) through /bin/sh, with the production settings, on a
free port, against a fresh PostgreSQL database `briefdesk_e2e_<random>`, Redis db 9
(E2E_REDIS_URL) as broker and the next db as cache (E2E_CACHE_URL). At the end the processes
are stopped and the database dropped.

The tests are skipped, with the reason, when PostgreSQL or Redis cannot be reached (CI runs both).
E2E_POSTGRES_URL sets the server (default: DATABASE_URL's when it is PostgreSQL, else
postgres://postgres@127.0.0.1:5432/postgres)."""

import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from config import stack as stack_module

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/9")
# The shared cache (CACHE_URL): the next Redis database after the broker's.
CACHE_REDIS_URL = os.environ.get("E2E_CACHE_URL") or re.sub(
    r"/(\d+)$", lambda m: f"/{int(m.group(1)) + 1}", REDIS_URL
)
STARTUP_TIMEOUT = 120


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


def postgres_server_url():
    url = os.environ.get("E2E_POSTGRES_URL")
    if not url:
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url.startswith(("postgres://", "postgresql://")):
            url = database_url
        else:
            url = "postgres://postgres@127.0.0.1:5432/postgres"
    return url


def database_url(name):
    parts = urlsplit(postgres_server_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


def unreachable():
    """Why the stack cannot run here, or None."""
    import psycopg
    import redis

    url = database_url("postgres")
    try:
        stack_module._maintenance_connection(stack_module._postgres(url)).close()
    except (psycopg.Error, OSError) as exc:
        return f"PostgreSQL is unreachable at {urlsplit(url).netloc.split('@')[-1]}: {exc}"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except (redis.RedisError, OSError) as exc:
        return f"Redis is unreachable at {REDIS_URL}: {exc}"
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    """A running stack: its base URL, environment, processes and their logs."""

    url: str
    env: dict
    var_dir: Path
    processes: dict = field(default_factory=dict)
    logs: dict = field(default_factory=dict)

    def manage(self, *args, check=True, timeout=300, input=None):
        """Run `python manage.py ARGS` against the stack (same settings, database, broker)."""
        return subprocess.run(
            [sys.executable, "manage.py", *map(str, args)],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
            input=input,
        )

    def shell(self, code, timeout=300):
        """Run Python code in `manage.py shell` against the stack; returns its stdout."""
        return self.manage("shell", "-v", "0", "-c", code, timeout=timeout).stdout

    def log(self, name):
        return self.logs[name].read_text(errors="replace")

    def get(self, path, headers=None, timeout=15):
        request = urllib.request.Request(f"{self.url}{path}", headers=headers or {})
        try:
            return urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            return error

    def check_alive(self):
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(
                    f"The stack's {name} process exited ({process.returncode}):\n"
                    + self.log(name)[-4000:]
                )


def _stop(process):
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def _wait_until_up(stack):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        stack.check_alive()
        worker_ready = "ready." in stack.log("worker")
        try:
            response = stack.get("/healthz/", timeout=5)
        except (urllib.error.URLError, OSError):  # gunicorn is not listening yet
            response = None
        if worker_ready and getattr(response, "status", None) == 200:
            return json.loads(response.read())
        time.sleep(0.5)
    raise RuntimeError(
        "The stack did not become healthy in time:\n"
        + "\n".join(f"--- {name}:\n{stack.log(name)[-2000:]}" for name in stack.logs)
    )


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    reason = unreachable()
    if reason:
        pytest.skip(f"End-to-end tests need PostgreSQL and Redis: {reason}")
    import redis

    name = f"briefdesk_e2e_{uuid.uuid4().hex[:10]}"
    var_dir = tmp_path_factory.mktemp("stack-var")
    port = free_port()
    url = f"http://localhost:{port}"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(var_dir)),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": f"{url},http://127.0.0.1:{port}",
        # The public origin: the default Site follows it at migrate (briefs/sites.py).
        "BRIEFDESK_BASE_URL": url,
        "DATABASE_URL": database_url(name),
        "CELERY_BROKER_URL": REDIS_URL,
        "CACHE_URL": CACHE_REDIS_URL,
        # Plain HTTP on loopback: no TLS proxy in front (as `make stack`).
        "SECURE_SSL_REDIRECT": "false",
        "BRIEFDESK_VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "STATIC_ROOT": str(var_dir / "static"),
        "BRIEFDESK_DEMO_MODE": "true",
        "WEB_PORT": str(port),
        "WORKER_CONCURRENCY": "2",
        # No SMTP server here: workflow notifications are written to the process logs.
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "WEB_CONCURRENCY": "2",
    }
    for url_ in (REDIS_URL, CACHE_REDIS_URL):
        redis.Redis.from_url(url_).flushdb()
    stack = Stack(url=url, env=env, var_dir=var_dir)
    log_dir = var_dir / "logs"
    log_dir.mkdir()
    try:
        with (log_dir / "prepare.log").open("w") as log:

            def say(message):
                print(message, file=log, flush=True)

            try:
                stack_module.prepare(env, demo=True, log=say)
            except subprocess.CalledProcessError as exc:
                raise RuntimeError(
                    f"Preparing the stack failed at {shlex.join(map(str, exc.cmd[1:]))}"
                ) from exc
        for process_name, command in stack_module.procfile().items():
            path = log_dir / f"{process_name}.log"
            stack.logs[process_name] = path
            with path.open("wb") as log:
                stack.processes[process_name] = subprocess.Popen(
                    ["/bin/sh", "-c", command],
                    cwd=BASE_DIR,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,  # its own process group, stopped as one
                )
        stack.health = _wait_until_up(stack)
        yield stack
    finally:
        for process in stack.processes.values():
            _stop(process)
        try:
            stack_module.drop_database(env["DATABASE_URL"], log=lambda message: None)
        finally:
            for url_ in (REDIS_URL, CACHE_REDIS_URL):
                redis.Redis.from_url(url_).flushdb()
        artifacts = BASE_DIR / "test-artifacts" / "e2e-logs"
        artifacts.mkdir(parents=True, exist_ok=True)
        for path in log_dir.glob("*.log"):
            (artifacts / path.name).write_bytes(path.read_bytes())
