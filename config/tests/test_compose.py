"""The production stack (docker-compose.yml, Dockerfile, .env.example) names only real things.

No Docker engine is needed: the compose file is parsed, every module, Celery app, management
command and settings module it names is imported or looked up, the production settings are
loaded with the values of .env.example, and the web health check command is run against a
gunicorn serving the production settings."""

import ast
import importlib
import importlib.util
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
ENV_EXAMPLE = BASE_DIR / ".env.example"
DOCKERFILE = BASE_DIR / "Dockerfile"
PRODUCTION_SETTINGS = BASE_DIR / "config" / "settings" / "production.py"

APP_SERVICES = ("migrate", "web", "worker", "ocr-worker", "beat")
ALL_SERVICES = ("db", "redis", *APP_SERVICES)

# Variables of .env.example that the settings do not read, and who does.
READ_ELSEWHERE = {
    "POSTGRES_DB": "docker-compose.yml (db service)",
    "POSTGRES_USER": "docker-compose.yml (db service)",
    "POSTGRES_PASSWORD": "docker-compose.yml (db service)",
    "WEB_PORT": "docker-compose.yml (published port)",
    "WEB_CONCURRENCY": "gunicorn",
}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def read_env_file(path, include_commented=False):
    """NAME=value lines; with include_commented, also the documented "# NAME=value" lines."""
    values = {}
    pattern = r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$"
    for line in path.read_text().splitlines():
        match = re.match(pattern, line.strip())
        if match and (include_commented or not match.group(1)):
            values[match.group(2)] = match.group(3)
    return values


def commands(services):
    """(service, argv) for every shell command a service runs, `sh -c "a && b"` split up."""
    for name in APP_SERVICES:
        command = services[name]["command"]
        argv = shlex.split(command) if isinstance(command, str) else [str(a) for a in command]
        if argv[:2] == ["sh", "-c"]:
            for part in re.split(r"&&|;", argv[2]):
                yield name, shlex.split(part)
        else:
            yield name, argv


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**overrides):
    """A clean environment holding .env.example, as `env_file: .env` would provide it, with its
    SECRET_KEY placeholder replaced by a generated key as its comment asks."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(BASE_DIR),
        **read_env_file(ENV_EXAMPLE),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    env.update(overrides)
    return env


# --- Services ---------------------------------------------------------------------------------


def test_services_exist(services):
    assert set(ALL_SERVICES) <= set(services)


def test_app_services_share_one_image(services):
    builds = {yaml.safe_dump(services[name].get("build"), sort_keys=True) for name in APP_SERVICES}
    images = {services[name].get("image") for name in APP_SERVICES}
    assert len(builds) == 1, "web, worker, beat and migrate must build the same image"
    assert len(images) == 1 and None not in images, "…and tag it with one name"
    build = services["web"]["build"]
    assert (BASE_DIR / build["context"] / build.get("dockerfile", "Dockerfile")).is_file()


def test_app_services_use_env_file_and_production_settings(services):
    for name in APP_SERVICES:
        service = services[name]
        env_files = service["env_file"]
        assert (env_files if isinstance(env_files, list) else [env_files]) == [".env"], name
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_backing_services(services):
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["db"]["volumes"])


@pytest.mark.parametrize("name", ["db", "redis", "web"])
def test_healthchecks(services, name):
    healthcheck = services[name]["healthcheck"]
    assert not healthcheck.get("disable")
    assert healthcheck["test"][0] in {"CMD", "CMD-SHELL"}
    if name == "web":
        assert any("/healthz/" in part for part in healthcheck["test"])


def test_startup_order(services):
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker", "ocr-worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert depends_on["redis"]["condition"] == "service_healthy", name
    assert services["migrate"].get("restart") == "no"


def test_media_volume_on_web_and_worker(compose, services):
    media_root = read_env_file(ENV_EXAMPLE)["MEDIA_ROOT"]
    assert "media" in compose["volumes"]
    for name in ("web", "worker", "ocr-worker"):
        assert f"media:{media_root}" in services[name]["volumes"], name


def test_static_volume_is_shared_by_migrate_and_web(compose, services):
    static_root = read_env_file(ENV_EXAMPLE)["STATIC_ROOT"]
    assert "static" in compose["volumes"]
    for name in ("migrate", "web"):
        assert f"static:{static_root}" in services[name]["volumes"], name


def test_every_named_volume_is_declared(compose):
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: volume {source} is not declared"


# --- Commands -----------------------------------------------------------------------------------


def test_commands_name_real_things(services):
    from celery import Celery
    from celery.app.utils import find_app
    from celery.bin.celery import celery as celery_cli
    from django.core.management import get_commands
    from gunicorn.config import Config

    seen = set()
    for service, argv in commands(services):
        program = argv[0]
        seen.add(program)
        if program == "gunicorn":
            options = Config().parser().parse_args(argv[1:])  # unknown options exit
            if options.config:
                assert (BASE_DIR / options.config).is_file(), f"{service}: -c {options.config}"
            module_name, _, attribute = options.args[0].partition(":")
            module = importlib.import_module(module_name)
            assert callable(getattr(module, attribute)), f"{service}: {options.args[0]}"
        elif program == "celery":
            app_name = argv[argv.index("-A") + 1]
            assert isinstance(find_app(app_name), Celery), f"{service}: -A {app_name}"
            subcommand = argv[argv.index("-A") + 2]
            assert subcommand in celery_cli.commands, f"{service}: celery {subcommand}"
            option_names = {
                opt for param in celery_cli.commands[subcommand].params for opt in param.opts
            }
            for arg in argv[argv.index("-A") + 3 :]:
                if arg.startswith("-"):
                    assert arg in option_names, f"{service}: celery {subcommand} {arg}"
        elif program == "python":
            assert argv[1] == "manage.py", f"{service}: {argv}"
            assert argv[2] in get_commands(), f"{service}: manage.py {argv[2]} does not exist"
        else:
            pytest.fail(f"{service}: no check for the program {program!r}; add one")
    assert {"gunicorn", "celery", "python"} <= seen


def test_celery_services_run_worker_and_beat(services):
    worker = dict(commands(services))["worker"]
    beat = dict(commands(services))["beat"]
    assert worker[:4] == ["celery", "-A", "config", "worker"]
    assert beat[:4] == ["celery", "-A", "config", "beat"]
    schedule = beat[beat.index("--schedule") + 1]
    assert schedule.startswith("/app/var/"), "beat must write its schedule where app can write"


def test_migrate_runs_migrate_and_collectstatic(services):
    steps = [argv[:3] for service, argv in commands(services) if service == "migrate"]
    assert steps == [
        ["python", "manage.py", "check"],
        ["python", "manage.py", "migrate"],
        ["python", "manage.py", "collectstatic"],
    ]


def test_settings_module_is_importable(services):
    for name in APP_SERVICES:
        module = services[name]["environment"]["DJANGO_SETTINGS_MODULE"]
        assert importlib.util.find_spec(module) is not None, module


# --- Dockerfile -------------------------------------------------------------------------------


def test_dockerfile():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.MULTILINE)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "fonts-"):
        assert package in text, package
    assert "requirements.lock" in text
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in text
    assert (BASE_DIR / "requirements.lock").is_file()


def test_dockerignore_keeps_local_state_out():
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", "var", ".env"):
        assert entry in ignored, entry


# --- .env.example -------------------------------------------------------------------------------


def _required_statically():
    """REQUIRED_ENVIRONMENT of the production settings, and names passed to
    env(..., required=True)."""
    names = set()
    for node in ast.walk(ast.parse(PRODUCTION_SETTINGS.read_text())):
        if (
            isinstance(node, ast.Assign)
            and getattr(node.targets[0], "id", None) == "REQUIRED_ENVIRONMENT"
        ):
            names.update(ast.literal_eval(node.value))
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "env"
            and any(k.arg == "required" and getattr(k.value, "value", False) for k in node.keywords)
        ):
            names.add(node.args[0].value)
    return names


DISCOVER = r"""
import importlib, json, os, re, secrets, sys
from django.core.exceptions import ImproperlyConfigured
example = json.loads(sys.argv[1])
required = []
for _ in range(50):
    for name in [m for m in list(sys.modules) if m == "config" or m.startswith("config.")]:
        del sys.modules[name]
    try:
        importlib.import_module("config.settings.production")
    except ImproperlyConfigured as exc:
        listed = re.search(r"missing required environment variables: ([A-Z0-9_, ]+)", str(exc))
        if not listed:
            raise
        names = [name.strip() for name in listed.group(1).split(",") if name.strip()]
        if set(names) & set(required):
            raise
        required.extend(names)
        for name in names:
            value = example.get(name) or "placeholder"
            if value.startswith("change-me"):
                value = secrets.token_urlsafe(50)
            os.environ[name] = value
    else:
        break
print(json.dumps(required))
"""


def _required_at_import():
    """Import the production settings in an empty environment, adding each variable that
    ImproperlyConfigured names (with its .env.example value) until the import succeeds."""
    import json

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(BASE_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", DISCOVER, json.dumps(read_env_file(ENV_EXAMPLE))],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(result.stdout))


def test_env_example_lists_every_required_variable():
    required = _required_statically() | _required_at_import()
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= required
    listed = read_env_file(ENV_EXAMPLE)
    missing = sorted(name for name in required if not listed.get(name))
    assert not missing, f".env.example lacks values for {missing}"


def test_env_example_lists_the_documented_settings():
    listed = read_env_file(ENV_EXAMPLE, include_commented=True)
    for name in (
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "WAGTAILADMIN_BASE_URL",
        "MEDIA_ROOT",
        "SOURCE_MAX_UPLOAD_MB",
        "EMAIL_BACKEND",
        "LOG_LEVEL",
    ):
        assert name in listed, name


def test_every_env_example_variable_is_read_by_something():
    settings_text = "\n".join(p.read_text() for p in (BASE_DIR / "config/settings").glob("*.py"))
    compose_text = COMPOSE_FILE.read_text()
    for name in read_env_file(ENV_EXAMPLE):
        read = f'"{name}"' in settings_text or f"${{{name}" in compose_text
        assert read or name in READ_ELSEWHERE, f"nothing reads {name} from .env.example"


def test_env_example_urls_match_the_compose_services():
    from dj_database_url import parse

    env = read_env_file(ENV_EXAMPLE)
    database = parse(env["DATABASE_URL"])
    assert database["HOST"] == "db"
    assert database["NAME"] == env["POSTGRES_DB"]
    assert database["USER"] == env["POSTGRES_USER"]
    assert database["PASSWORD"] == env["POSTGRES_PASSWORD"]
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")


# `check --deploy` with the documented environment: config/tests/test_production.py.


# --- The web health check, for real ----------------------------------------------------------


def test_web_healthcheck_command_passes_against_gunicorn(services, tmp_path):
    """Serve the production settings with gunicorn and run the compose health check command
    (pointed at this server's port) the way Docker would: it must succeed."""
    port = free_port()
    var_dir = tmp_path / "var"
    env = production_env(
        BRIEFDESK_VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(var_dir / "media"),
        STATIC_ROOT=str(var_dir / "static"),
        # The database and broker of this run (PostgreSQL and Redis in CI), or local ones.
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL") or "filesystem://",
    )
    test = services["web"]["healthcheck"]["test"]
    assert test[0] == "CMD" and "127.0.0.1:8000" in test[-1]
    check = [sys.executable if a == "python" else a for a in test[1:]]
    check[-1] = check[-1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")

    # The web service's own command, bound to this test's port.
    web = dict(commands(services))["web"]
    web[web.index("--bind") + 1] = f"127.0.0.1:{port}"
    env["WEB_CONCURRENCY"] = "1"
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", *web],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            result = subprocess.run(
                check, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=30
            )
            if result.returncode == 0 or time.monotonic() > deadline or server.poll() is not None:
                break
            time.sleep(0.5)
        assert result.returncode == 0, (
            result.stderr[-2000:] + "\n--- gunicorn:\n" + (tmp_path / "gunicorn.log").read_text()
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    # Its access log is JSON, one object per request, with the request's fields.
    import json

    lines = (tmp_path / "gunicorn.log").read_text().splitlines()
    access = [json.loads(line) for line in lines if '"path": "/healthz/"' in line]
    assert access and access[-1]["status"] == 200 and access[-1]["method"] == "GET", lines


# --- Object storage (MinIO profile) -----------------------------------------------------------


def test_minio_profile_is_optional_and_private(services):
    for name in ("minio", "minio-bucket"):
        assert services[name]["profiles"] == ["s3"], name
    assert services["minio"]["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}
    assert services["minio-bucket"]["depends_on"]["minio"]["condition"] == "service_healthy"
    script = services["minio-bucket"]["entrypoint"][-1]
    assert "mc mb --ignore-existing" in script and "mc anonymous set none" in script
    for name in ("web", "worker"):
        bucket = services[name]["depends_on"]["minio-bucket"]
        assert bucket == {"condition": "service_completed_successfully", "required": False}
    listed = read_env_file(ENV_EXAMPLE, include_commented=True)
    for name in (
        "MEDIA_STORAGE",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_S3_REGION_NAME",
    ):
        assert name in listed, name


def test_beat_is_a_single_process_and_worker_has_a_healthcheck(services):
    assert "deploy" not in services["beat"] or services["beat"]["deploy"].get("replicas", 1) == 1
    assert "inspect ping" in services["worker"]["healthcheck"]["test"][-1]
    assert "inspect ping" in services["ocr-worker"]["healthcheck"]["test"][-1]


def test_ocr_has_a_worker_of_its_own(services):
    """Scans go to the `ocr` queue (CELERY_TASK_ROUTES): one worker consumes it alone, the
    other the default queue, so a long OCR job never holds up other ingestion."""
    from django.conf import settings

    assert settings.CELERY_TASK_ROUTES["sources.ocr_source"] == {"queue": "ocr"}
    worker, ocr_worker = (dict(commands(services))[name] for name in ("worker", "ocr-worker"))
    assert worker[worker.index("-Q") + 1] == "celery"
    assert ocr_worker[ocr_worker.index("-Q") + 1] == "ocr"


# --- make stack runs the same processes (Procfile.stack) ------------------------------------


def _normalise(argv):
    """Drop what legitimately differs between a container and the host: the interpreter
    location, the bind address and the beat schedule path (the var folder)."""
    argv = [Path(a).name if a.startswith(".venv/bin/") else a for a in argv]
    out = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            out.append("<value>")
            continue
        out.append(arg)
        if arg in {"--bind", "--schedule", "--concurrency"}:
            skip = True
    return out


def test_procfile_stack_runs_the_compose_commands(services):
    from config.stack import procfile

    stack = procfile()
    assert set(stack) == {"web", "worker", "ocr-worker", "beat"}
    compose_commands = dict(commands(services))
    for name, line in stack.items():
        argv = shlex.split(line)
        assert argv[0] == "exec", f"{name}: honcho must be able to signal the process itself"
        assert _normalise(argv[1:]) == _normalise(compose_commands[name]), name


def test_stack_prepare_runs_the_migrate_service_steps(services):
    from config.stack import PREPARE_STEPS

    migrate = [argv[1:3] for service, argv in commands(services) if service == "migrate"]
    assert [list(step[:2]) for step in PREPARE_STEPS] == migrate
