"""Plain text files (.txt): decoded, and split into pages at form feeds."""

from __future__ import annotations

import os
from pathlib import Path

from .base import Extractor, decode_text

TEXT = "text/plain"


class PlainTextExtractor(Extractor):
    media_type = TEXT
    label = "plain text"
    upload_hint = "plain text (.txt)"
    extensions = (".txt", ".text")
    content_kinds = frozenset({"text"})

    def check(self, path: str | os.PathLike[str]) -> None:
        decode_text(Path(path).read_bytes())

    def read_pages(self, path: str | os.PathLike[str]) -> list[str]:
        text, _ = decode_text(Path(path).read_bytes())
        # A form feed is the page break of plain text files.
        return [self.page_text(page) for page in text.split("\f")]

    def page_text(self, page: str) -> str:
        """The text of one page of the file (subclasses convert markup here)."""
        return page

    def extractor_name(self) -> str:
        return "plain text"
