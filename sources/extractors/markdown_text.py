"""Markdown files (.md): rendered to HTML, then read as HTML page by page (form feeds)."""

from __future__ import annotations

from importlib.metadata import version

import markdown
from bs4 import BeautifulSoup

from sources.footnotes import to_superscript

from .html_page import html_text
from .plain_text import PlainTextExtractor

MARKDOWN = "text/markdown"

# CommonMark lets any ASCII punctuation be escaped; Python-Markdown only knows a few (not \$).
_ASCII_PUNCTUATION = [chr(c) for c in range(33, 127) if not chr(c).isalnum()]


class MarkdownExtractor(PlainTextExtractor):
    media_type = MARKDOWN
    label = "Markdown"
    upload_hint = "Markdown (.md)"
    extensions = (".md", ".markdown")

    def page_text(self, page: str) -> str:
        converter = markdown.Markdown(extensions=["extra", "sane_lists"])
        converter.ESCAPED_CHARS = _ASCII_PUNCTUATION
        soup = BeautifulSoup(converter.convert(page), "lxml")
        # Footnotes ([^1]) become numbered entries like printed ones: "¹ text" on one line.
        for backref in soup.select("a.footnote-backref"):
            backref.decompose()
        for number, item in enumerate(soup.select("div.footnote li"), start=1):
            for paragraph in item.find_all("p"):
                paragraph.unwrap()
            item.insert(0, to_superscript(number) + " ")
        return html_text(soup)

    def extractor_name(self) -> str:
        return f"Markdown {markdown.__version__} + beautifulsoup4 {version('beautifulsoup4')}"
