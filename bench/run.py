"""Run the benchmarks in bench/ and write bench/results.json.

A benchmark module is any bench/*.py other than run.py, __init__.py and _private.py files that
defines run(), returning a list of rows, each a dict:

    {"name": "...", "value": 12.3, "unit": "ms", "baseline": 20.0, "target": 15.0}

(baseline and target may be None). Django is set up first (DJANGO_SETTINGS_MODULE, default
config.settings.dev), so modules may use the ORM. A module that fails to import, raises or
returns malformed rows is reported and the others still run; the exit code is then 1.

Usage: python bench/run.py [MODULE ...]      (default: every module)
"""

import argparse
import datetime
import importlib
import json
import numbers
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS_FILE = BENCH_DIR / "results.json"
README_FILE = BASE_DIR / "README.md"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
FIELDS = ("name", "value", "unit", "baseline", "target")
NOT_MODULES = {"run", "__init__"}


def discover():
    return sorted(
        path.stem
        for path in BENCH_DIR.glob("*.py")
        if path.stem not in NOT_MODULES and not path.stem.startswith("_")
    )


def check_rows(rows):
    """The rows as a list of dicts with exactly the expected keys, or ValueError."""
    if not isinstance(rows, list | tuple):
        raise ValueError(f"run() returned {type(rows).__name__}, not a list of dicts")
    checked = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValueError(f"row {index} is a {type(row).__name__}, not a dict")
        missing = [field for field in FIELDS if field not in row]
        if missing:
            raise ValueError(f"row {index} ({row.get('name', '?')}) lacks {', '.join(missing)}")
        for field in ("value", "baseline", "target"):
            value = row[field]
            if value is not None and not isinstance(value, numbers.Real):
                raise ValueError(f"row {index} ({row['name']}): {field} is not a number")
        checked.append({field: row[field] for field in FIELDS})
    return checked


def run_module(name):
    """(rows, error, seconds) for one module; error is a traceback string or None."""
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"bench.{name}")
        if not callable(getattr(module, "run", None)):
            return None, None, 0.0  # a helper module, not a benchmark
        rows = check_rows(module.run())
    except Exception:
        return [], traceback.format_exc(), time.perf_counter() - started
    return rows, None, time.perf_counter() - started


def machine_info():
    from django.conf import settings
    from django.db import connection

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "database_vendor": connection.vendor,
        "database_engine": connection.settings_dict["ENGINE"],
        "broker": settings.CELERY_BROKER_URL.split("://", 1)[0],
        "settings": os.environ.get("DJANGO_SETTINGS_MODULE"),
        "git_commit": commit,
    }


def fmt(value):
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 1 or magnitude == 0:
        return f"{value:.2f}"
    return f"{value:.3g}"


def table(rows):
    headers = ("module", "benchmark", "value", "unit", "baseline", "target")
    lines = [
        (row["module"], row["name"], fmt(row["value"]), row["unit"] or "", fmt(row["baseline"]),
         fmt(row["target"]))
        for row in rows
    ]  # fmt: skip
    columns = zip(headers, *lines, strict=True)
    widths = [max(len(str(cell)) for cell in column) for column in columns]
    numeric = {2, 4, 5}

    def render(cells):
        return "  ".join(
            str(cell).rjust(width) if index in numeric else str(cell).ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(headers), rule, *(render(line) for line in lines)])


def markdown(rows, machine, generated_at):
    """The results as a Markdown table with the machine it ran on, for the README."""
    lines = [
        f"Measured {generated_at} on {machine['cpu_count']} CPUs, Python {machine['python']}, "
        f"{machine['platform']}, database {machine['database_vendor']}, broker "
        f"{machine['broker']}, commit {machine['git_commit'] or 'unknown'}.",
        "",
        "| module | benchmark | value | unit | baseline | target | met |",
        "|---|---|--:|---|--:|--:|:-:|",
    ]
    for row in rows:
        met = ""
        if row["target"] is not None and isinstance(row["value"], numbers.Real):
            # Targets are ceilings, except throughput, ratios (precision, recall) and counts of
            # things that must all pass, which are floors.
            unit = row["unit"] or ""
            at_least = unit.startswith("of ") or unit in ("req/s", "ratio", "%")
            ok = row["value"] >= row["target"] if at_least else row["value"] <= row["target"]
            met = "yes" if ok else "**no**"
        lines.append(
            f"| {row['module']} | {row['name']} | {fmt(row['value'])} | {row['unit'] or ''} | "
            f"{fmt(row['baseline'])} | {fmt(row['target'])} | {met} |"
        )
    return "\n".join(lines) + "\n"


def update_readme(text):
    """Replace the table between the bench markers of README.md (full runs only)."""
    if not README_FILE.exists():
        return False
    readme = README_FILE.read_text(encoding="utf-8")
    if README_START not in readme or README_END not in readme:
        return False
    head, rest = readme.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    README_FILE.write_text(f"{head}{README_START}\n{text}{README_END}{tail}", encoding="utf-8")
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="bench modules to run (default: all)")
    args = parser.parse_args(argv)

    # Import bench modules as bench.<name>, never as top-level modules that could shadow others.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()

    available = discover()
    unknown = sorted(set(args.modules) - set(available))
    if unknown:
        parser.error(f"no such bench module: {', '.join(unknown)} (have: {', '.join(available)})")
    names = args.modules or available

    rows, errors = [], []
    for name in names:
        print(f"== bench/{name}.py", flush=True)
        module_rows, error, seconds = run_module(name)
        if module_rows is None:
            print("   no run(): skipped")
            continue
        if error:
            print(f"   FAILED after {seconds:.1f} s:\n{error}", file=sys.stderr, flush=True)
            errors.append({"module": name, "error": error.strip().splitlines()[-1]})
            continue
        print(f"   {len(module_rows)} result(s) in {seconds:.1f} s", flush=True)
        rows.extend({"module": name, **row} for row in module_rows)

    machine = machine_info()
    print()
    if rows:
        print(table(rows))
    else:
        print("No benchmark results." + ("" if names else " (no modules in bench/)"))
    print(
        f"\n{machine['cpu_count']} CPUs, Python {machine['python']}, {machine['platform']}, "
        f"database {machine['database_vendor']}"
    )

    generated_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    results = {
        "generated_at": generated_at,
        "machine": machine,
        "rows": rows,
        "errors": errors,
    }
    RESULTS_FILE.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Wrote {RESULTS_FILE.relative_to(BASE_DIR)}")
    report = markdown(rows, machine, generated_at)
    (BENCH_DIR / "results.md").write_text(report, encoding="utf-8")
    if not args.modules and not errors and update_readme(report):
        print("Updated the benchmark table in README.md")

    if errors:
        print(
            f"\n{len(errors)} module(s) failed: {', '.join(e['module'] for e in errors)}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
