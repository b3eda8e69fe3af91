"""The only way WeasyPrint gets a resource while rendering a brief.

WeasyPrint's default fetcher opens any URL: ``http://`` to anywhere (server-side request
forgery from a brief's rich text or table), ``file:///etc/passwd``, redirects. This fetcher
serves only:

- ``briefdesk://site/static/<path>``: the project's static files (static finders in
  development, STATIC_ROOT after collectstatic);
- ``briefdesk://site/media/<path>``: files under MEDIA_ROOT (cover images, renditions), except
  the private PDF folder;
- ``file://`` URLs whose real path (symlinks resolved) lies inside those same folders;
- ``data:`` URIs (decoded by the standard library's DataHandler), up to a size limit.

Everything else (http, https, ftp, file outside the folders, unknown schemes) raises, which
WeasyPrint logs and skips: the resource is simply missing from the PDF. There is no network
code here at all, so there is nothing to redirect. Templates render with
``base_url=BASE_URL`` so that relative URLs (``/static/pdfs/print.css``) land on this scheme.

WeasyPrint 70 needs a ``URLFetcher`` subclass (it reads ``_fail_on_errors`` on it), hence the
subclass instead of a plain function."""

import logging
import mimetypes
import os
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .storage import pdf_root

logger = logging.getLogger(__name__)

SCHEME = "briefdesk"
BASE_URL = f"{SCHEME}://site/"
MAX_BYTES = 25 * 1024 * 1024
DATA_URI_MAX_CHARS = 10 * 1024 * 1024

# urljoin() resolves relative references only for the schemes it knows.
for _registry in (urllib.parse.uses_relative, urllib.parse.uses_netloc):
    if SCHEME not in _registry:
        _registry.append(SCHEME)


class RefusedURL(ValueError):
    pass


def static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)]
    for finder in finders.get_finders():
        for location in getattr(finder, "locations", ()):
            roots.append(Path(location[1] if isinstance(location, tuple) else location))
        for storage in getattr(finder, "storages", {}).values():
            if getattr(storage, "location", None):
                roots.append(Path(storage.location))
    return roots


def allowed_roots() -> list[Path]:
    return [root.resolve() for root in [*static_roots(), Path(settings.MEDIA_ROOT)]]


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def check_path(path: Path) -> Path:
    """The real path of ``path`` if it is a file inside an allowed folder, else RefusedURL."""
    real = Path(os.path.realpath(path))
    private = pdf_root().resolve()
    if _inside(real, private):
        raise RefusedURL(f"{path} is a private PDF.")
    if not any(_inside(real, root) for root in allowed_roots()):
        raise RefusedURL(f"{path} is outside the static and media folders.")
    if not real.is_file():
        raise RefusedURL(f"{path} is not a file.")
    return real


def resolve(url: str) -> Path:
    """The local file behind an allowed URL (RefusedURL for anything else)."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    path = urllib.parse.unquote(parts.path)
    if scheme == SCHEME:
        if parts.netloc != "site":
            raise RefusedURL(f"Unknown host in {url}.")
        if path.startswith(settings.STATIC_URL):
            relative = path[len(settings.STATIC_URL) :]
            if ".." in Path(relative).parts:
                raise RefusedURL(f"{url} leaves the static folders.")
            found = finders.find(relative)
            candidate = Path(found) if found else Path(settings.STATIC_ROOT) / relative
            return check_path(candidate)
        if path.startswith(settings.MEDIA_URL):
            relative = path[len(settings.MEDIA_URL) :]
            if ".." in Path(relative).parts:
                raise RefusedURL(f"{url} leaves the media folder.")
            return check_path(Path(settings.MEDIA_ROOT) / relative)
        raise RefusedURL(f"{url} is neither a static nor a media file.")
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"{url} names another host.")
        return check_path(Path(urllib.request.url2pathname(path)))
    raise RefusedURL(f"The scheme of {url[:80]} is not allowed.")


class SafeURLFetcher(URLFetcher):
    """See the module docstring. ``refused`` lists what was refused (for logs and tests)."""

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.refused = []

    def fetch(self, url, headers=None):
        try:
            return self._fetch(url)
        except RefusedURL as error:
            self.refused.append(url)
            logger.info("PDF rendering refused a resource: %s", error)
            raise

    def _fetch(self, url):
        if url[:5].lower() == "data:":
            if len(url) > DATA_URI_MAX_CHARS:
                raise RefusedURL("A data: URI over the size limit.")
            try:
                response = urllib.request.DataHandler().data_open(urllib.request.Request(url))
            except ValueError as error:
                raise RefusedURL(f"A malformed data: URI ({error}).") from None
            return URLFetcherResponse(
                url[:64], response.read(), {"Content-Type": response.headers["Content-Type"]}
            )
        path = resolve(url)
        if path.stat().st_size > MAX_BYTES:
            raise RefusedURL(f"{url} is larger than {MAX_BYTES} bytes.")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, _read(path), {"Content-Type": media_type})


_cache = {}


def _read(path: Path) -> bytes:
    """File bytes, with fonts and stylesheets cached per process (they never change while a
    worker runs; keyed by modification time anyway)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key in _cache:
        return _cache[key]
    data = path.read_bytes()
    if path.suffix.lower() in {".ttf", ".otf", ".woff", ".woff2", ".css"}:
        _cache[key] = data
    return data
