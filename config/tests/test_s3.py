"""Media in S3-compatible object storage, against a real S3 server on loopback (moto's server
mode): the storage settings built by config.settings.base.media_storage() from the same
environment variables a deployment sets, and the real code paths that write and read files."""

import socket
import urllib.request
import uuid
from types import SimpleNamespace

import boto3
import pytest
from django.urls import reverse

from config.settings.base import media_storage, pdf_storage
from conftest import wait_for

REGION = "eu-west-1"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_environment(s3_endpoint):
    """The variables of a deployment with S3 media (see .env.example), on a fresh bucket."""
    return {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": f"briefdesk-{uuid.uuid4().hex[:12]}",
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": "briefdesk-test",
        "AWS_SECRET_ACCESS_KEY": "briefdesk-test-secret",
        "AWS_LOCATION": "media",
    }


@pytest.fixture
def s3_media(s3_environment, settings):
    env = s3_environment
    client = boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        region_name=REGION,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(
        Bucket=env["AWS_STORAGE_BUCKET_NAME"],
        CreateBucketConfiguration={"LocationConstraint": REGION},
    )
    default = media_storage(env)
    settings.STORAGES = {**settings.STORAGES, "default": default, **pdf_storage(default)}

    def keys():
        listing = client.list_objects_v2(Bucket=env["AWS_STORAGE_BUCKET_NAME"])
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(key):
        return client.get_object(Bucket=env["AWS_STORAGE_BUCKET_NAME"], Key=key)["Body"].read()

    return SimpleNamespace(
        client=client, bucket=env["AWS_STORAGE_BUCKET_NAME"], env=env, object_keys=keys, read=read
    )


def test_environment_selects_s3(s3_environment):
    storage = media_storage(s3_environment)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert options["addressing_style"] == "path"  # a custom endpoint (MinIO, moto)
    # A bucket name alone is enough to switch; nothing set means the filesystem.
    only_bucket = media_storage({"AWS_STORAGE_BUCKET_NAME": "b"})
    assert only_bucket["BACKEND"] == "storages.backends.s3.S3Storage"
    assert only_bucket["OPTIONS"]["addressing_style"] == "auto"
    assert media_storage({"X": "1"})["BACKEND"].endswith("FileSystemStorage")
    assert pdf_storage(storage)["pdfs"]["OPTIONS"]["location"] == "media/pdfs"


@pytest.mark.django_db
def test_source_upload_is_stored_in_the_bucket_and_read_back(s3_media, kazakhstan_pdf):
    from sources import services
    from sources.models import Source

    source = services.create_source_from_path(kazakhstan_pdf, title="Image of China")
    key = f"media/{source.file.name}"
    assert key in s3_media.object_keys()
    assert s3_media.read(key) == kazakhstan_pdf.read_bytes()

    # The worker's code path: the file is read back through the storage and extracted.
    services.ingest_source(source.pk)
    source.refresh_from_db()
    assert source.status == Source.Status.READY, source.error
    assert source.page_count == 16

    # Private objects: no public grant, and only a pre-signed, expiring URL reads them.
    grants = s3_media.client.get_object_acl(Bucket=s3_media.bucket, Key=key)["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")]
    url = source.file.url
    assert url.startswith(s3_media.env["AWS_S3_ENDPOINT_URL"])
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=3600" in url
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == kazakhstan_pdf.read_bytes()


@pytest.mark.django_db
def test_same_name_never_overwrites(s3_media, tmp_path):
    from sources import services

    first = tmp_path / "a" / "note.txt"
    second = tmp_path / "b" / "note.txt"
    for path, text in ((first, "First paper, its own words.\n"), (second, "Second one.\n")):
        path.parent.mkdir()
        path.write_text(text)
    one = services.create_source_from_path(first, title="One")
    two = services.create_source_from_path(second, title="Two")
    assert one.file.name != two.file.name
    assert s3_media.read(f"media/{one.file.name}") == first.read_bytes()


@pytest.mark.django_db
def test_admin_upload_and_delete(
    s3_media, admin_client, digital_trade_pdf, django_capture_on_commit_callbacks
):
    from sources import services
    from sources.models import Source
    from sources.tests.test_library import ADD_URL, upload_form

    response = admin_client.post(reverse(ADD_URL), upload_form(digital_trade_pdf, title="DT"))
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get()
    key = f"media/{source.file.name}"
    assert s3_media.read(key) == digital_trade_pdf.read_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_source(source)
    assert key not in s3_media.object_keys()


@pytest.fixture
def s3_for_subprocesses(s3_media, monkeypatch):
    """The S3 variables in this process's environment, so that a worker started now builds
    the same storage from them."""
    for name, value in s3_media.env.items():
        monkeypatch.setenv(name, value)
    return s3_media


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_web_and_worker_processes_share_the_bucket(
    s3_for_subprocesses, celery_worker_process, admin_client, digital_trade_pdf
):
    """An upload made by this process is ingested by a separate worker process that reads the
    file from the bucket: what web and worker containers on different hosts do."""
    from sources.models import Source
    from sources.tests.test_library import ADD_URL, upload_form

    response = admin_client.post(reverse(ADD_URL), upload_form(digital_trade_pdf, title="DT"))
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get()

    def finished():
        source.refresh_from_db()
        return source.status in (Source.Status.READY, Source.Status.FAILED)

    wait_for(finished, timeout=120, message="the worker to ingest the source from S3")
    assert source.status == Source.Status.READY, source.error
    assert source.page_count == 14


@pytest.mark.django_db
def test_rendered_pdf_is_written_to_the_bucket_and_served(
    s3_media, client, django_capture_on_commit_callbacks
):
    """Publishing a brief renders its PDF (the task, run by the commit hook) into the bucket
    under the row's one name; the public view streams it back from there."""
    import hashlib

    from django.core.files.storage import storages

    from pdfs import tasks
    from pdfs.models import BriefPDF
    from pdfs.services import public_pdf_url
    from pdfs.storage import get_pdf_storage
    from pdfs.tests.conftest import PAGES, QUOTE, brief_body, make_brief, make_evidence, make_source

    assert get_pdf_storage() is storages["pdfs"]
    assert BriefPDF._meta.get_field("file").storage is storages["pdfs"]

    source = make_source("Steppe Economics", PAGES)
    with django_capture_on_commit_callbacks(execute=True):
        page = make_brief(body=brief_body(make_evidence(source, QUOTE)))
    pdf = BriefPDF.objects.get(brief=page, revision_id=page.live_revision_id)
    assert pdf.status == BriefPDF.Status.READY, pdf.last_error
    key = f"media/pdfs/{pdf.file.name}"
    pdf_keys = [k for k in s3_media.object_keys() if k.startswith("media/pdfs/")]
    assert pdf_keys == [key]
    data = s3_media.read(key)
    assert data.startswith(b"%PDF") and len(data) == pdf.size
    assert hashlib.sha256(data).hexdigest() == pdf.sha256

    response = client.get(public_pdf_url(page))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["ETag"] == f'"{pdf.sha256}"'
    assert b"".join(response.streaming_content) == data

    # Rendering the row again (regenerate) writes the row's other name, switches to it once
    # ready and deletes the old object: one object in the end, the one the row serves.
    BriefPDF.objects.filter(pk=pdf.pk).update(status=BriefPDF.Status.QUEUED, attempts=0)
    assert tasks.render_brief_pdf.apply(args=(pdf.pk,), task_id="again").get() == "ready"
    pdf.refresh_from_db()
    pdf_keys = [k for k in s3_media.object_keys() if k.startswith("media/pdfs/")]
    assert pdf_keys == [f"media/pdfs/{pdf.file.name}"] and pdf_keys != [key]


@pytest.mark.django_db
def test_a_stale_object_is_replaced_and_a_missing_one_is_404(s3_media, client):
    """A partial object left under the row's name is deleted and written again (never a
    second object beside it); an object gone from the bucket is a 404, not a 500."""
    import hashlib

    from pdfs import tasks
    from pdfs.models import BriefPDF
    from pdfs.services import public_pdf_url
    from pdfs.tests.conftest import PAGES, QUOTE, brief_body, make_brief, make_evidence, make_source

    source = make_source("Steppe Economics", PAGES)
    page = make_brief(body=brief_body(make_evidence(source, QUOTE)))  # commit hook not run
    pdf = BriefPDF.objects.get(brief=page, revision_id=page.live_revision_id)
    assert pdf.status == BriefPDF.Status.QUEUED
    name = f"{pdf.token.hex}/{page.slug}-r{pdf.revision_id}-{pdf.kind}.pdf"
    key = f"media/pdfs/{name}"
    s3_media.client.put_object(Bucket=s3_media.bucket, Key=key, Body=b"%PDF-1.7 half")

    assert tasks.render_brief_pdf.apply(args=(pdf.pk,)).get() == "ready"
    pdf.refresh_from_db()
    assert pdf.file.name == name
    assert [k for k in s3_media.object_keys() if k.startswith("media/pdfs/")] == [key]
    data = s3_media.read(key)
    assert data != b"%PDF-1.7 half" and hashlib.sha256(data).hexdigest() == pdf.sha256

    s3_media.client.delete_object(Bucket=s3_media.bucket, Key=key)
    assert client.get(public_pdf_url(page)).status_code == 404
