"""The production stack on this machine: what `make stack` and the end-to-end tests (e2e/) share.

    python -m config.stack prepare [--demo]   # database if missing, migrate, collectstatic, demo
    python -m config.stack drop-database      # drop the database of DATABASE_URL (tests)

`prepare` runs the steps of the one-shot `migrate` service of docker-compose.yml; the processes
themselves are the lines of Procfile.stack, which honcho (make stack) or e2e/conftest.py start.
Both read DATABASE_URL, CELERY_BROKER_URL and the rest from the environment, with
DJANGO_SETTINGS_MODULE=config.settings.production."""

import argparse
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PROCFILE = BASE_DIR / "Procfile.stack"
# The `migrate` service of docker-compose.yml, step by step.
PREPARE_STEPS = (
    ("manage.py", "check", "--deploy", "--fail-level", "ERROR"),
    ("manage.py", "migrate", "--noinput"),
    ("manage.py", "collectstatic", "--noinput", "-v", "0"),
)
DEMO_STEP = ("manage.py", "load_demo")


def procfile(path=PROCFILE):
    """{name: shell command} of a Procfile, in file order."""
    processes = {}
    for line in Path(path).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)
        if match and not line.lstrip().startswith("#"):
            processes[match.group(1)] = match.group(2).strip()
    return processes


def _postgres(url):
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return None
    return config


def _maintenance_connection(config):
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        connect_timeout=5,
        autocommit=True,
    )


def ensure_database(url, log=print):
    """Create the PostgreSQL database of ``url`` when it does not exist (SQLite: nothing)."""
    from psycopg import sql

    config = _postgres(url)
    if config is None:
        return False
    with _maintenance_connection(config) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    log(f"Created the PostgreSQL database {config['NAME']}.")
    return True


def drop_database(url, log=print):
    from psycopg import sql

    config = _postgres(url)
    if config is None:
        return False
    with _maintenance_connection(config) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(config["NAME"])
            )
        )
    log(f"Dropped the PostgreSQL database {config['NAME']}.")
    return True


def prepare(env=None, demo=False, log=print):
    """Database, migrations, static files and optionally the demo, with ``env`` (default: this
    process's environment). Raises CalledProcessError when a step fails."""
    env = dict(os.environ if env is None else env)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    url = env.get("DATABASE_URL", "")
    if url:
        ensure_database(url, log=log)
    steps = [*PREPARE_STEPS, DEMO_STEP] if demo else list(PREPARE_STEPS)
    for step in steps:
        log(f"$ python {shlex.join(step)}")
        subprocess.run(
            [sys.executable, *step], cwd=BASE_DIR, env=env, check=True, stdin=subprocess.DEVNULL
        )


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m config.stack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    prepare_parser = commands.add_parser(
        "prepare", help="database, deploy checks, migrate, collectstatic"
    )
    prepare_parser.add_argument("--demo", action="store_true", help="then manage.py load_demo")
    commands.add_parser("drop-database", help="drop the database of DATABASE_URL")
    args = parser.parse_args(argv)
    try:
        if args.command == "prepare":
            prepare(demo=args.demo)
        else:
            drop_database(os.environ["DATABASE_URL"])
    except subprocess.CalledProcessError as exc:
        print(f"stack: `{shlex.join(map(str, exc.cmd[1:]))}` failed", file=sys.stderr)
        return exc.returncode or 1
    except Exception as exc:  # the database server is unreachable, a bad URL…
        print(f"stack: {exc.__class__.__name__}: {exc}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
