"""HTML pages (.html, .htm, .xhtml): the visible text, one page; also used for Markdown."""

from __future__ import annotations

import os
import re
from importlib.metadata import version
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ProcessingInstruction, Tag

from sources.footnotes import to_superscript

from .base import decode_text
from .plain_text import PlainTextExtractor

HTML = "text/html"

_HIDDEN_TAGS = frozenset(
    [
        "script",
        "style",
        "nav",
        "header",
        "footer",
        "noscript",
        "template",
        "head",
        "svg",
        "canvas",
        "iframe",
        "object",
    ]
)
_PARAGRAPH_TAGS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "ul",
        "ol",
        "dl",
        "figure",
        "hr",
        "address",
        "details",
    ]
)
_LINE_TAGS = frozenset(
    [
        "div",
        "section",
        "article",
        "main",
        "aside",
        "li",
        "dt",
        "dd",
        "tr",
        "caption",
        "figcaption",
        "summary",
        "form",
        "fieldset",
    ]
)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
# Block boundaries are collected as marks and resolved at the end, so nested or adjacent blocks
# give one line break (or one blank line around paragraphs), never a pile of them.
_LINE_MARK, _PARAGRAPH_MARK = "\x00", "\x01"
_BREAK_MARKS = re.compile(r"[ \t]*[\x00\x01][\x00\x01 \t]*")


class HtmlExtractor(PlainTextExtractor):
    """A text file (checked and decoded as one) whose markup is reduced to its visible text."""

    media_type = HTML
    label = "HTML page"
    upload_hint = "HTML (.html)"
    extensions = (".htm", ".html", ".xhtml")

    def read_pages(self, path: str | os.PathLike[str]) -> list[str]:
        text, _ = decode_text(Path(path).read_bytes())
        return [html_text(BeautifulSoup(text, "lxml"))]

    def extractor_name(self) -> str:
        return f"beautifulsoup4 {version('beautifulsoup4')} (lxml)"


def looks_like_html(head: bytes) -> bool:
    start = head[:1024].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html")) or b"<body" in start


def html_text(root: Tag) -> str:
    """Visible text of an HTML tree; block elements become line breaks.

    Hand-written rather than ``get_text()``: it must apply HTML whitespace rules (source line
    breaks are spaces), put block elements on their own lines and turn numeric ``<sup>`` into
    superscript digits so footnote markers survive as they do in PDFs.
    """
    out: list[str] = []

    def walk(node: Tag, preformatted: bool) -> None:
        for child in node.children:
            if isinstance(child, Comment | Doctype | ProcessingInstruction):
                continue
            if isinstance(child, NavigableString):
                text = str(child)
                out.append(text if preformatted else _HTML_SPACE.sub(" ", text))
                continue
            if not isinstance(child, Tag) or child.name in _HIDDEN_TAGS:
                continue
            if child.name == "br":
                out.append("\n")
                continue
            if child.name == "sup" and child.get_text().strip().isdigit():
                out.append(to_superscript(int(child.get_text().strip())))
                continue
            mark = (
                _PARAGRAPH_MARK
                if child.name in _PARAGRAPH_TAGS
                else _LINE_MARK
                if child.name in _LINE_TAGS
                else "\t"
                if child.name in ("td", "th")
                else ""
            )
            out.append(mark)
            walk(child, preformatted or child.name == "pre")
            out.append(mark)

    walk(root.body or root, False)
    return _BREAK_MARKS.sub(
        lambda match: "\n\n" if _PARAGRAPH_MARK in match.group() else "\n", "".join(out)
    )
