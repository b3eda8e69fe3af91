"""Demo briefs, read from ``demo/briefs.yaml`` (see the comment at its top for the format).

Idempotent: a brief that exists (by slug) is left as it is, since editors may have changed it.
Evidence is named by a fragment of its quote; a fragment that matches no accepted evidence, or
more than one, stops the load with an error naming the brief, so that the demo never cites the
wrong quote."""

import re
import uuid
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify

from briefs.models import BriefAuthor, BriefIndexPage, BriefPage, RevisionNotice
from briefs.models.versions import UPDATE_NOTICE_TYPES
from evidence.models import Evidence
from taxonomy.models import Country, Topic

BRIEFS_FILE = Path(settings.BASE_DIR) / "demo" / "briefs.yaml"
# [[cited words|fragment of the quote]] in paragraph text.
CITE_RE = re.compile(r"\[\[(?P<words>[^|\]]+)\|(?P<fragment>[^\]]+)\]\]")
STATES = {"published", "draft", "in_review", "rejected"}


class DemoBriefError(Exception):
    pass


def _normal(text):
    return " ".join(text.replace("\\", "").split()).lower()


class EvidenceFinder:
    def __init__(self):
        self.evidence = [
            (_normal(e.quote), e.pk)
            for e in Evidence.objects.citable().only("pk", "quote").order_by("pk")
        ]

    def __call__(self, fragment, where):
        wanted = _normal(fragment)
        matches = [pk for quote, pk in self.evidence if wanted in quote]
        if not matches:
            raise DemoBriefError(f"{where}: no accepted evidence quotes “{fragment}”.")
        if len(matches) > 1:
            exact = [pk for quote, pk in self.evidence if quote == wanted]
            if len(exact) == 1:
                return exact[0]
            raise DemoBriefError(
                f"{where}: “{fragment}” matches {len(matches)} pieces of evidence; quote more."
            )
        return matches[0]


def _richtext(html, find, where):
    def replace(match):
        evidence_id = find(match.group("fragment"), where)
        return f'<a linktype="evidence" id="{evidence_id}">{escape(match.group("words"))}</a>'

    return CITE_RE.sub(replace, html.strip())


def _item(value):
    return {"type": "item", "value": value, "id": str(uuid.uuid4())}


def build_body(spec, find, where):
    """The StreamField raw data of a brief from its YAML blocks."""
    body = []
    for index, block in enumerate(spec):
        ((block_type, value),) = block.items()
        at = f"{where}, block {index + 1} ({block_type})"
        if block_type == "section":
            data = {"heading": value, "anchor": slugify(value)[:80]}
        elif block_type == "paragraph":
            data = _richtext(value, find, at)
        elif block_type == "evidence_quote":
            data = {
                "evidence": find(value["quote"], at),
                "commentary": _richtext(value.get("commentary", ""), find, at),
            }
        elif block_type == "key_figure":
            data = {
                "evidence": find(value["quote"], at),
                "figure": value.get("figure", 1),
                "caption": value.get("caption", ""),
            }
        elif block_type == "chart":
            data = {
                "title": value["title"],
                "chart_type": value.get("chart_type", "bar"),
                "evidence": [_item(find(q, at)) for q in value["quotes"]],
                "caption": value.get("caption", ""),
            }
        elif block_type == "key_findings":
            data = {
                "title": value.get("title", "Key findings"),
                "items": [_item(_backed(item, find, at)) for item in value["items"]],
            }
        elif block_type == "recommendations":
            data = {
                "title": value.get("title", "Recommendations"),
                "groups": [
                    _item(
                        {
                            "addressee": group["addressee"],
                            "items": [_item(_backed(i, find, at)) for i in group["items"]],
                        }
                    )
                    for group in value["groups"]
                ],
            }
        elif block_type == "table":
            rows = [value["header"], *value["rows"]] if value.get("header") else value["rows"]
            data = {
                "data": rows,
                "first_row_is_table_header": bool(value.get("header")),
                "first_col_is_header": value.get("first_col_is_header", False),
                "table_header_choice": "row" if value.get("header") else "neither",
                "table_caption": value.get("caption", ""),
            }
        elif block_type == "callout":
            data = {
                "title": value["title"],
                "body": _richtext(value["body"], find, at),
                "tone": value.get("tone", "note"),
            }
        else:
            raise DemoBriefError(f"{at}: unknown block type “{block_type}”.")
        body.append({"type": block_type, "value": data, "id": str(uuid.uuid4())})
    return body


def _backed(item, find, where):
    return {
        "text": item["text"],
        "evidence": find(item["quote"], where) if item.get("quote") else None,
    }


def read_entries(path=None):
    entries = yaml.safe_load(Path(path or BRIEFS_FILE).read_text(encoding="utf-8")) or []
    notice_types = {value for value, _ in UPDATE_NOTICE_TYPES}
    for entry in entries:
        state = entry.get("state", "published")
        where = f"Brief “{entry.get('slug')}”"
        if state not in STATES:
            raise DemoBriefError(f"{where}: unknown state “{state}”.")
        if entry.get("versions") and state != "published":
            raise DemoBriefError(f"{where}: only a published brief has later versions.")
        for number, version in enumerate(entry.get("versions") or [], start=2):
            notice = version.get("notice") or {}
            if notice.get("type") not in notice_types or not str(notice.get("text", "")).strip():
                raise DemoBriefError(
                    f"{where}, version {number}: a notice needs a type "
                    f"({', '.join(sorted(notice_types))}) and a text."
                )
    return entries


def _fold(text):
    return " ".join(str(text).split())


def apply_replacements(spec, replacements, where):
    """The blocks of ``spec`` with each ``{old, new}`` of ``replacements`` applied: ``old``
    (whitespace folded, as in every string of the blocks) must occur exactly once in them."""

    def walk(node, old, new, found):
        if isinstance(node, str):
            folded = _fold(node)
            found.append(folded.count(old))
            return folded.replace(old, new)
        if isinstance(node, list):
            return [walk(child, old, new, found) for child in node]
        if isinstance(node, dict):
            return {key: walk(child, old, new, found) for key, child in node.items()}
        return node

    for replacement in replacements:
        old, new, found = _fold(replacement["old"]), _fold(replacement["new"]), []
        replaced = walk(spec, old, new, found)
        if sum(found) != 1:
            raise DemoBriefError(
                f"{where}: “{old[:60]}” occurs {sum(found)} times in the previous version; "
                "it must occur exactly once."
            )
        spec = replaced
    return spec


def _messages(error) -> str:
    """The messages of a (possibly nested, block-level) validation error, on one line."""
    if hasattr(error, "as_json_data"):
        data = error.as_json_data()
        found = []

        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "messages":
                        found.extend(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(data)
        if found:
            return " ".join(found)
    return " ".join(getattr(error, "messages", [str(error)]))


def _terms(known, keys, kind, where):
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise DemoBriefError(
            f"{where}: unknown {kind} {', '.join(unknown)} (known: {', '.join(sorted(known))})."
        )
    return [known[key] for key in keys]


def _validate(page, where):
    try:
        page.full_clean()
        # Model validation leaves StreamField blocks alone: validate them as the editor
        # does (evidence that may be cited, figures of key figures, chart units).
        page.body = BriefPage._meta.get_field("body").stream_block.clean(page.body)
    except ValidationError as error:
        raise DemoBriefError(f"{where} does not validate: {_messages(error)}") from error


def _publish_versions(page, entry, find, user):
    """Versions 2, 3… of a published demo brief: each the previous one's blocks with its
    replacements, published with its update notice as an editor's sign-off would."""
    spec = entry["body"]
    for number, version in enumerate(entry.get("versions") or [], start=2):
        where = f"Brief “{entry['slug']}”, version {number}"
        spec = apply_replacements(spec, version.get("replace") or [], where)
        page = BriefPage.objects.get(pk=page.pk)
        page.body = build_body(spec, find, where)
        _validate(page, where)
        revision = page.save_revision(user=user, log_action=True)
        notice = version["notice"]
        RevisionNotice.objects.create(
            revision=revision,
            notice_type=notice["type"],
            text=_fold(notice["text"]),
            created_by=user,
        )
        revision.publish(user=user, skip_permission_checks=True)


def _index():
    index = BriefIndexPage.objects.first()
    if index is None:
        raise DemoBriefError("There is no brief index page: run the migrations first.")
    return index


@transaction.atomic
def load_briefs(log=print, path=None, user=None) -> dict[str, str]:
    """Create or update the demo briefs; returns ``{slug: what happened}``."""
    index = _index()
    find = EvidenceFinder()
    countries = {c.iso_code: c for c in Country.objects.all()}
    topics = {t.slug: t for t in Topic.objects.all()}
    outcome = {}
    for entry in read_entries(path):
        slug = entry["slug"]
        where = f"Brief “{slug}”"
        if BriefPage.objects.filter(slug=slug).exists():
            # Never overwrite a brief that exists: editors may have changed it since (and may
            # have withdrawn evidence it cites, so its blocks are not even rebuilt).
            outcome[slug] = "exists, left as it is"
            log(f"Brief “{slug}”: {outcome[slug]}")
            continue
        body = build_body(entry["body"], find, where)
        fields = {
            "title": entry["title"],
            "standfirst": " ".join(entry["standfirst"].split()),
            "kind": entry["kind"],
            "publication_date": entry.get("publication_date"),
        }
        page = BriefPage(slug=slug, live=False, **fields)
        page.body = body
        index.add_child(instance=page)
        state = entry.get("state", "published")
        page.countries.set(_terms(countries, entry.get("countries", []), "country", where))
        page.topics.set(_terms(topics, entry.get("topics", []), "topic", where))
        page.authors.set(
            [
                BriefAuthor(name=a["name"], affiliation=a.get("affiliation", ""))
                for a in entry["authors"]
            ]
        )
        _validate(page, where)
        revision = page.save_revision(user=user, log_action=True)
        if state == "published":
            # The demo's published briefs stand for a sign-off already given: the loader has
            # validated them above (briefs/permissions.py allows no direct route for users).
            revision.publish(user=user, skip_permission_checks=True)
            _publish_versions(page, entry, find, user)
        elif state in ("in_review", "rejected"):
            from demo.review import put_in_review

            put_in_review(page, state, log=log)
        versions = len(entry.get("versions") or []) + 1
        outcome[slug] = f"created, {state}" + (f", {versions} versions" if versions > 1 else "")
        log(f"Brief “{page.title}”: {outcome[slug]}")
    return outcome
