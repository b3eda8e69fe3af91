"""One way to send a task (config.tasks) and one naming convention for the tasks."""

import re
from unittest import mock

import pytest
from django.conf import settings
from kombu.exceptions import OperationalError

from config.celery import app
from config.tasks import enqueue, enqueue_on_commit

PROJECT_APPS = ("taxonomy", "sources", "evidence", "briefs", "review", "pdfs")


def project_tasks():
    app.loader.import_default_modules()  # autodiscovery: every app's tasks module
    return {
        name: task
        for name, task in app.tasks.items()
        if task.__module__.split(".")[0] in PROJECT_APPS
    }


def test_every_task_is_named_app_dot_verb_noun():
    tasks = project_tasks()
    assert tasks, "the project's tasks are registered"
    for name, task in tasks.items():
        app_label = task.__module__.split(".")[0]
        assert re.fullmatch(rf"{app_label}\.[a-z]+(_[a-z]+)+", name), name


def test_the_beat_schedule_names_registered_tasks():
    tasks = project_tasks()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in tasks


def fake_task(**apply_async):
    task = mock.Mock(apply_async=mock.Mock(**apply_async))
    task.name = "pdfs.render_brief_pdf"  # Mock(name=...) names the mock, not this attribute
    return task


def test_enqueue_sends_with_the_short_retry_policy_and_reports_it():
    task, sent, failed = fake_task(), mock.Mock(), mock.Mock()
    assert enqueue(task, 7, on_sent=sent, on_failed=failed) is True
    args, kwargs = task.apply_async.call_args
    assert args == ((7,),) and kwargs["retry"] is True
    assert kwargs["retry_policy"]["max_retries"] == 1
    sent.assert_called_once_with()
    failed.assert_not_called()


def test_enqueue_with_the_broker_down_logs_and_never_raises(caplog):
    task = fake_task(side_effect=OperationalError("refused"))
    sent, failed = mock.Mock(), mock.Mock()
    assert enqueue(task, 7, if_down="It stays queued.", on_sent=sent, on_failed=failed) is False
    assert "Could not enqueue pdfs.render_brief_pdf(7,)" in caplog.text
    assert "It stays queued." in caplog.text
    failed.assert_called_once_with()
    sent.assert_not_called()


@pytest.mark.django_db
def test_enqueue_on_commit_sends_only_after_the_commit(django_capture_on_commit_callbacks):
    task = fake_task()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(task, 7)
    task.apply_async.assert_not_called()
    assert len(callbacks) == 1
    callbacks[0]()
    task.apply_async.assert_called_once()
