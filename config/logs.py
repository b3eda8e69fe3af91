"""Structured (JSON) logs for the production processes.

Django, Celery and gunicorn's error log use pythonjsonlogger's JsonFormatter through LOGGING
(config/settings/base.py) or config/gunicorn.py. Gunicorn's access log passes its request
fields as a dict of "atoms" in the record's arguments; AccessJsonFormatter turns them into
named JSON fields instead of one formatted line."""

from pythonjsonlogger.json import JsonFormatter

JSON_FORMAT = "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"
RENAME = {"asctime": "time", "levelname": "level", "name": "logger"}

# gunicorn atom -> JSON field
ACCESS_FIELDS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "B": "bytes",
    "f": "referer",
    "a": "user_agent",
}


class AccessJsonFormatter(JsonFormatter):
    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        atoms = record.args if isinstance(record.args, dict) else None
        if not atoms:
            return
        for atom, field in ACCESS_FIELDS.items():
            value = atoms.get(atom)
            if value not in (None, "-"):
                log_data[field] = int(value) if field in {"status", "bytes"} else value
        duration = atoms.get("D")  # microseconds
        if duration not in (None, "-"):
            log_data["duration_ms"] = round(int(duration) / 1000, 1)


def gunicorn_logconfig():
    """A logging dictConfig for gunicorn's own loggers, JSON on stdout/stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": JsonFormatter, "fmt": JSON_FORMAT, "rename_fields": RENAME},
            "access": {"()": AccessJsonFormatter, "fmt": JSON_FORMAT, "rename_fields": RENAME},
        },
        "handlers": {
            "error": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["error"], "level": "INFO"},
    }
