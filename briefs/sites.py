"""The default Wagtail Site follows BRIEFDESK_BASE_URL, the public origin of the site.

Every absolute URL the site hands out (sitemap, canonical and og:url, "Cite this brief", the PDF
cover, the API's `url` and `cite_as`) comes from the Site's hostname and port, which Wagtail's
first migration sets to localhost:80. After each `migrate` (post_migrate, connected in
briefs.apps) the default Site is pointed at BRIEFDESK_BASE_URL, but only while it still looks
unedited: the migration's localhost:80, or a loopback host name (127.0.0.1, localhost), which is
what `make run` / `make stack` / the tests set. A Site an administrator pointed at a real host
name is never changed."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def parse_origin(base_url):
    """(hostname, port) of an origin such as "https://briefs.example.org" or
    "http://127.0.0.1:8811". Wagtail derives a Site's scheme from its port (443: https, else
    http), so an https origin must use port 443."""
    parts = urlsplit(base_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(
            f"BRIEFDESK_BASE_URL must be an origin such as https://briefs.example.org, "
            f"not {base_url!r}."
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"BRIEFDESK_BASE_URL has an invalid port: {base_url!r}."
        ) from exc
    if parts.scheme == "https" and port != 443:
        raise ImproperlyConfigured(
            f"BRIEFDESK_BASE_URL {base_url!r}: Wagtail serves https URLs only on port 443."
        )
    if parts.scheme == "http" and port == 443:
        raise ImproperlyConfigured(f"BRIEFDESK_BASE_URL {base_url!r}: port 443 means https.")
    return parts.hostname, port


def follows_base_url(site):
    """Whether ``site`` may be moved to BRIEFDESK_BASE_URL (it was not edited by a person)."""
    return site.hostname in LOOPBACK_HOSTS


def sync_default_site(base_url=None, log=None):
    """Point the default Site at ``base_url`` (default: settings.BRIEFDESK_BASE_URL). Idempotent;
    returns the Site when it changed, else None."""
    from wagtail.models import Site

    base_url = settings.BRIEFDESK_BASE_URL if base_url is None else base_url
    if not base_url:
        return None
    hostname, port = parse_origin(base_url)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return None
    if not follows_base_url(site):
        return None
    if Site.objects.filter(hostname=hostname, port=port).exclude(pk=site.pk).exists():
        return None  # another Site already answers there; leave the choice to an administrator
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
    Site.clear_site_root_paths_cache()
    if log:
        log(f"The default site now answers as {site.root_url} (BRIEFDESK_BASE_URL).")
    return site


def sync_after_migrate(sender, verbosity=1, using="default", **kwargs):
    from django.db import connections

    if "wagtailcore_site" not in connections[using].introspection.table_names():
        return
    sync_default_site(log=print if verbosity >= 1 else None)
