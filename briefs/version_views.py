"""The public pages of a brief's history (routes of BriefPage, briefs.models.pages):

- ``/briefs/<slug>/versions/<n>/``: version n as it was published (its revision's content,
  with the quotes that revision pinned), with what changed since version n - 1;
- ``/briefs/<slug>/versions/<n>/diff/``: the body of version n - 1 and version n side by side;
- a withdrawn brief: 410 with its withdrawal notice and its versions, at every address.
"""

from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe

from .changes import side_by_side, summarize
from .versions import history, version_page


def _version_or_404(page, number):
    hist = history(page)
    version = hist.version(number)
    if version is None:
        raise Http404("This brief has no such version.")
    return hist, version


def version(page, request, number):
    hist, current = _version_or_404(page, number)
    shown = version_page(current)
    context = shown.get_context(request)
    previous = hist.previous(current)
    context.update(
        {
            "page": shown,
            "self": shown,
            "history": hist,
            "version": current,
            "previous_version": previous,
            "is_latest_version": current.number == hist.latest.number,
            "changes": summarize(version_page(previous), shown) if previous else None,
            # The cache holds the live revision's rendering: never reuse it here.
            "brief_cache_version": None,
            "canonical_url": page.version_url(number),
        }
    )
    return TemplateResponse(request, "briefs/brief_page.html", context)


def version_diff(page, request, number):
    hist, current = _version_or_404(page, number)
    previous = hist.previous(current)
    if previous is None:
        raise Http404("The first version has nothing to compare with.")
    old, new = version_page(previous), version_page(current)
    table = side_by_side(
        old,
        new,
        f"Version {previous.number}, {previous.published_at:%d %B %Y}",
        f"Version {current.number}, {current.published_at:%d %B %Y}",
    )
    return TemplateResponse(
        request,
        "briefs/version_diff.html",
        {
            "page": page,
            "self": page,
            "history": hist,
            "version": current,
            "previous_version": previous,
            "changes": summarize(old, new),
            "diff_table": mark_safe(table),  # difflib.HtmlDiff escapes the text it shows
        },
    )


def withdrawn(page, request):
    hist = history(page)
    return TemplateResponse(
        request,
        "briefs/withdrawn.html",
        {"page": page, "self": page, "history": hist, "withdrawal": hist.withdrawal},
        status=410,
    )
