import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("briefdesk")
# Every CELERY_* Django setting configures the app (see config/settings/base.py).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A pool child whose resident memory has grown past this (KiB) after a task, e.g. after the PDF
# of a very long brief or a large source extraction, is replaced by a fresh one once the task
# is done, so that a long-running worker's memory stays bounded (bench/pdf.py: a render child
# peaks at about 210-270 MB). CELERY_WORKER_MAX_MEMORY_PER_CHILD=0 turns it off.
app.conf.worker_max_memory_per_child = (
    int(os.environ.get("CELERY_WORKER_MAX_MEMORY_PER_CHILD", "400000")) or None
)
