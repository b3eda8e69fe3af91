# Briefdesk: developer entry points. `make help` lists the targets.
#
# Dependencies: pyproject.toml declares the direct dependencies with the ranges we support;
# requirements.lock is the constraints file: `pip freeze` of a working .venv, every package
# (direct and transitive) at an exact version. `make install` installs exactly the lock, then
# checks that it satisfies pyproject.toml. After changing pyproject.toml run `make lock`
# (installs what the new ranges need into .venv and freezes it again) and commit both files.
# The Dockerfile installs the runtime part of pyproject.toml with the lock as constraints.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
HONCHO := $(VENV)/bin/honcho
STAMP := $(VENV)/.briefdesk-installed
VAR_DIR := $(or $(BRIEFDESK_VAR_DIR),var)
CHROMIUM := /usr/bin/chromium
BROWSER_PACKAGES := chromium chromium-driver fonts-dejavu-core
# OCR of scanned sources (OCRmyPDF drives Tesseract and Ghostscript); the language packs are
# those of BRIEFDESK_OCR_LANGUAGES' default, eng+rus+kaz.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-rus tesseract-ocr-kaz ghostscript
PORT ?= 8000
ARGS ?=
# The public origin of `make run` / `make stack` (every absolute URL; the default Wagtail Site
# follows it at each migrate, see briefs/sites.py): from PORT unless set in the environment.
BRIEFDESK_BASE_URL ?= http://127.0.0.1:$(PORT)
export BRIEFDESK_BASE_URL

.PHONY: help install lock browsers ocr-engine bench-tools var migrate demo run test lint format bench stack clean

help: ## List the targets
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

# --- Python environment -------------------------------------------------------------------

install: $(STAMP) ## Create .venv and install the exact versions of requirements.lock

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when requirements.lock or pyproject.toml is newer than the stamp.
$(STAMP): requirements.lock pyproject.toml | $(PY)
	$(PIP) install --disable-pip-version-check -r requirements.lock
	$(PY) -c "$$CHECK_PYPROJECT"
	@touch $@

requirements.lock:
	@if [ ! -x $(PY) ]; then \
		echo "requirements.lock is missing and there is no $(VENV) to freeze." >&2; exit 1; fi
	$(MAKE) lock

lock: | $(PY) ## Install pyproject.toml's dependencies into .venv and freeze it to requirements.lock
	$(PY) -c "$$PYPROJECT_REQUIREMENTS" > $(VENV)/pyproject-requirements.txt
	$(PIP) install --disable-pip-version-check -r $(VENV)/pyproject-requirements.txt
	$(PIP) freeze --exclude-editable --disable-pip-version-check \
		| grep -viE '^(briefdesk|-e )' | LC_ALL=C sort -f > requirements.lock.tmp
	mv requirements.lock.tmp requirements.lock
	$(PY) -c "$$CHECK_PYPROJECT"
	@touch $(STAMP)

# Every requirement of pyproject.toml (dependencies and all extras), one per line.
define PYPROJECT_REQUIREMENTS
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
extras = project.get("optional-dependencies", {}).values()
print("\n".join(project["dependencies"] + [req for extra in extras for req in extra]))
endef
export PYPROJECT_REQUIREMENTS

# Fails when an installed version (from the lock) is outside a range of pyproject.toml.
define CHECK_PYPROJECT
import sys, tomllib
from importlib import metadata
from packaging.requirements import Requirement
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
extras = project.get("optional-dependencies", {}).values()
wanted = [Requirement(r) for r in project["dependencies"] + [r for e in extras for r in e]]
problems = []
while wanted:
    req = wanted.pop()
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        problems.append(f"{req}: not installed")
        continue
    if not req.specifier.contains(version, prereleases=True):
        problems.append(f"{req}: {version} is installed")
    for extra in req.extras:
        for dep in map(Requirement, metadata.requires(req.name) or []):
            if dep.marker and dep.marker.evaluate({"extra": extra}):
                wanted.append(dep)
if problems:
    print("requirements.lock does not satisfy pyproject.toml:", *problems, sep="\n  ")
    print("Run `make lock` and commit requirements.lock.")
    sys.exit(1)
endef
export CHECK_PYPROJECT

# --- Browsers for the Playwright tests --------------------------------------------------------
# Playwright cannot download its own browsers here: the tests drive Debian's /usr/bin/chromium.

browsers: ## Install Debian's Chromium and ChromeDriver if /usr/bin/chromium is missing
	@if [ -x $(CHROMIUM) ]; then \
		echo "Chromium: $(CHROMIUM) ($$($(CHROMIUM) --version 2>/dev/null || echo '?'))"; \
	elif [ "$$(id -u)" = 0 ]; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update && apt-get install -y $(BROWSER_PACKAGES) </dev/null; \
	else \
		echo "$(CHROMIUM) is missing and installing it needs root. Run:" >&2; \
		echo "  sudo apt-get update && sudo apt-get install -y $(BROWSER_PACKAGES)" >&2; \
		exit 1; \
	fi

ocr-engine: ## Install Tesseract (English, Russian, Kazakh) and Ghostscript for OCR if missing
	@missing=$$(for p in $(OCR_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then \
		echo "OCR engine: $$(tesseract --version 2>&1 | head -n 1), languages $$(tesseract --list-langs 2>/dev/null | tail -n +2 | tr '\n' ' ')"; \
	elif [ "$$(id -u)" = 0 ]; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update && apt-get install -y --no-install-recommends $$missing </dev/null; \
	else \
		echo "OCR needs Debian packages that are missing, and installing them needs root. Run:" >&2; \
		echo "  sudo apt-get update && sudo apt-get install -y $$missing" >&2; \
		exit 1; \
	fi

bench-tools: ## Install wrk (HTTP load generator of bench/serving.py) if it is missing
	@if command -v wrk >/dev/null; then \
		echo "wrk: $$(command -v wrk)"; \
	elif [ "$$(id -u)" = 0 ]; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update && apt-get install -y --no-install-recommends wrk </dev/null; \
	else \
		echo "wrk is missing and installing it needs root. Run:" >&2; \
		echo "  sudo apt-get update && sudo apt-get install -y wrk" >&2; \
		exit 1; \
	fi

# --- Database, demo, servers -------------------------------------------------------------------

var: # Folders the settings and the filesystem broker expect
	@mkdir -p $(VAR_DIR)/media $(VAR_DIR)/static $(VAR_DIR)/broker/queue $(VAR_DIR)/broker/processed

migrate: install var ## Apply the migrations (SQLite in var/ unless DATABASE_URL is set)
	$(PY) manage.py migrate --noinput

demo: migrate ## Load the demo: taxonomy, demo accounts, sources and briefs
	@if ! $(PY) manage.py help load_demo >/dev/null 2>&1; then \
		echo "make demo: the management command 'load_demo' is not available:" >&2; \
		$(PY) manage.py help load_demo 2>&1 | tail -n 3 >&2; \
		exit 1; \
	fi
	$(PY) manage.py load_demo
	$(PY) manage.py render_pdfs --missing

# honcho starts both processes in their own process groups and, on Ctrl-C, signals each
# group, so nothing is left running. `-e /dev/null`: the production .env is not for dev.
run: demo ocr-engine ## Set up, load the demo, then serve http://127.0.0.1:PORT (8000) with a worker
	@echo "Briefdesk: $(BRIEFDESK_BASE_URL)/ (admin: $(BRIEFDESK_BASE_URL)/admin/). Ctrl-C stops."
	WEB_PORT=$(PORT) $(HONCHO) start -f Procfile.dev -e /dev/null

# Production settings (DEBUG off) on this machine: the processes of Procfile.stack (gunicorn,
# a worker and beat) against DATABASE_URL / CELERY_BROKER_URL / CACHE_URL (defaults: the local
# PostgreSQL database `briefdesk`, created when missing, Redis db 0 and db 1).
# `python -m config.stack prepare` first does what the compose `migrate` service does (deploy
# checks, migrate, collectstatic); STACK_DEMO=1 also loads the demo, with its accounts.
# Without SECRET_KEY a random one is used for this run. SECURE_SSL_REDIRECT defaults to false
# here, as there is no TLS proxy in front. Ctrl-C stops all three (honcho signals each group).
STACK_DEMO ?= 0
stack: install var ## Run the production processes (gunicorn, worker, beat) locally; STACK_DEMO=1 loads the demo
	@export DJANGO_SETTINGS_MODULE=config.settings.production; \
	export BRIEFDESK_VAR_DIR="$(abspath $(VAR_DIR))"; \
	export DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/briefdesk}"; \
	export CELERY_BROKER_URL="$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}"; \
	export CACHE_URL="$${CACHE_URL:-redis://127.0.0.1:6379/1}"; \
	export ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}"; \
	export SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}"; \
	export EMAIL_BACKEND="$${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"; \
	export SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}"; \
	export WEB_PORT=$(PORT); \
	prepare=(prepare); \
	case "$(STACK_DEMO)" in ""|0|false|no) ;; *) export BRIEFDESK_DEMO_MODE=true; prepare+=(--demo);; esac; \
	echo "make stack: production settings; database, broker and cache:" \
		$$(echo "$$DATABASE_URL $$CELERY_BROKER_URL $$CACHE_URL" | sed -E 's#//[^@/ ]*@#//***@#g'); \
	$(PY) -m config.stack "$${prepare[@]}"; \
	echo "Briefdesk (production settings): $$BRIEFDESK_BASE_URL/ (admin: /admin/). Ctrl-C stops."; \
	exec $(HONCHO) start -f Procfile.stack -e /dev/null

# --- Quality ------------------------------------------------------------------------------------

test: install browsers ocr-engine var ## Set up, then run the whole test suite (extra pytest args: ARGS=...)
	@rc=0; $(VENV)/bin/pytest $(ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then \
		echo "make test: pytest collected no tests (exit code 5): check testpaths/ARGS." >&2; \
	fi; \
	exit $$rc

lint: install ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Sort imports and format the code with ruff
	$(VENV)/bin/ruff check --select I --fix .
	$(VENV)/bin/ruff format .

# Benchmarks run against PostgreSQL and Redis, as production does (override with DATABASE_URL
# and CELERY_BROKER_URL); the benchmark database is created when missing.
BENCH_DATABASE_URL ?= postgres://root@127.0.0.1:5432/briefdesk_bench
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/11

bench: install var bench-tools ## Run the benchmarks on PostgreSQL and Redis; writes bench/results.json and README table
	export DATABASE_URL="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}"; \
	export CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(BENCH_BROKER_URL)}"; \
	$(PY) bin/ensure-database && $(PY) manage.py migrate --noinput -v0 \
		&& BRIEFDESK_DEMO_MODE=true $(PY) manage.py load_demo >/dev/null && $(PY) bench/run.py $(ARGS)

clean: ## Remove test artefacts and caches (keeps .venv, the dev database and media)
	rm -rf $(VAR_DIR)/test-db.sqlite3* $(VAR_DIR)/test-media $(VAR_DIR)/ci test-artifacts \
		.pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
