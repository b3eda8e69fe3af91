"""config/gunicorn.py: the values and what they are for."""

import random
import runpy
from pathlib import Path

from gunicorn.config import Config

GUNICORN_CONF = Path(__file__).resolve().parents[1] / "gunicorn.py"


def _settings(monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    values = runpy.run_path(str(GUNICORN_CONF))
    config = Config()
    for key, value in values.items():
        if key in config.settings:
            config.set(key, value)  # gunicorn's own validation of each setting
    return config


def test_workers_recycle_at_spread_out_times(monkeypatch):
    """Each worker recycles after max_requests + randint(0, jitter) requests (gunicorn's
    Worker.__init__). Workers share the load about equally, so two workers whose limits are
    within a few dozen requests of each other restart together: with the jitter of half
    max_requests that happens rarely, with the former 10 % often."""
    config = _settings(monkeypatch, WEB_CONCURRENCY="2")
    assert config.max_requests > 0
    assert config.max_requests_jitter >= config.max_requests / 2

    rng = random.Random(18)  # deterministic
    window = 50  # requests: about the time a worker takes to boot, under load
    trials = 2000
    together = 0
    for _ in range(trials):
        limits = [
            config.max_requests + rng.randint(0, config.max_requests_jitter)
            for _ in range(config.workers)
        ]
        together += max(limits) - min(limits) <= window
    assert together / trials < 0.15, f"{together} of {trials} pairs restart together"


def test_worker_count_comes_from_web_concurrency(monkeypatch):
    assert _settings(monkeypatch, WEB_CONCURRENCY="3").workers == 3
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert _settings(monkeypatch).workers == 2
