"""Word documents (.docx): paragraphs, tables and footnotes in document order."""

from __future__ import annotations

import io
import os
import zipfile
from importlib.metadata import version

import docx
from docx.oxml.ns import qn
from lxml import etree

from sources.footnotes import to_superscript

from .base import Extractor, IngestionError

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_DAMAGED = (
    "This Word document is damaged and cannot be read. Open it in Word, save it again "
    "as .docx and upload it again."
)

_CHUNK = 64 * 1024

_W_P = qn("w:p")
_W_TBL = qn("w:tbl")
_W_TR = qn("w:tr")
_W_TC = qn("w:tc")
_W_T = qn("w:t")
_W_TAB = qn("w:tab")
_W_BR = qn("w:br")
_W_CR = qn("w:cr")
_W_TYPE = qn("w:type")
_W_VAL = qn("w:val")
_W_ID = qn("w:id")
_W_R = qn("w:r")
_W_FOOTNOTE_REF = qn("w:footnoteReference")
_W_PAGE_BREAK_BEFORE = qn("w:pageBreakBefore")
_W_PPR = qn("w:pPr")
_W_RPR = qn("w:rPr")
_W_VERT_ALIGN = qn("w:vertAlign")


class DocxExtractor(Extractor):
    media_type = DOCX
    label = "Word document (DOCX)"
    upload_hint = "Word (.docx)"
    extensions = (".docx",)
    content_kinds = frozenset({DOCX, "application/zip"})  # a DOCX is a ZIP archive

    zip_based = True
    damaged_message = _DAMAGED

    def check(self, path: str | os.PathLike[str]) -> None:
        """Cheap enough for the web process: the archive's directory and a streamed CRC check
        of word/document.xml, never python-docx (the worker parses, under memory limits)."""
        try:
            with zipfile.ZipFile(path) as archive:
                if "word/document.xml" not in archive.namelist():
                    raise IngestionError(
                        "This file is a ZIP archive, not a Word document (it has no "
                        "word/document.xml)."
                    )
                with archive.open("word/document.xml") as member:
                    while member.read(_CHUNK):  # zipfile checks the CRC at the end
                        pass
        except IngestionError:
            raise
        except Exception as error:
            raise IngestionError(_DAMAGED) from error

    def read_pages(self, path: str | os.PathLike[str]) -> list[str]:
        """Paragraphs and tables in document order; explicit page breaks start a new page.

        Walks the XML because python-docx has no API for page breaks inside runs, superscript
        footnote numbers or Word's own footnotes (which are appended after the text as numbered
        notes, with their reference marks numbered in order of appearance).
        """
        try:
            document = docx.Document(os.fspath(path))
        except Exception as error:
            raise IngestionError(_DAMAGED) from error
        footnotes = _docx_footnotes(document)
        numbers: dict[str, int] = {}
        pages: list[list[str]] = [[]]

        def paragraph(element: object) -> None:
            properties = element.find(_W_PPR)
            if properties is not None:
                before = properties.find(_W_PAGE_BREAK_BEFORE)
                if before is not None and before.get(_W_VAL, "true") not in ("0", "false"):
                    pages.append([])
            line: list[str] = []
            for node in element.iter(_W_T, _W_TAB, _W_BR, _W_CR, _W_FOOTNOTE_REF):
                if node.tag == _W_T:
                    line.append(_docx_run_text(node))
                elif node.tag == _W_TAB:
                    line.append("\t")
                elif node.tag == _W_FOOTNOTE_REF:
                    number = numbers.setdefault(node.get(_W_ID), len(numbers) + 1)
                    line.append(to_superscript(number))
                elif node.tag == _W_BR and node.get(_W_TYPE) == "page":
                    pages[-1].append("".join(line))
                    line = []
                    pages.append([])
                else:
                    line.append("\n")
            pages[-1].append("".join(line))

        for element in document.element.body.iterchildren():
            if element.tag == _W_P:
                paragraph(element)
            elif element.tag == _W_TBL:
                for row in element.iter(_W_TR):
                    cells = []
                    for cell in row.iterchildren(_W_TC):
                        cells.append(" ".join(node.text or "" for node in cell.iter(_W_T)))
                    pages[-1].append("\t".join(cells))
        notes = [
            f"{to_superscript(n)} {footnotes[key]}"
            for key, n in numbers.items()
            if key in footnotes
        ]
        if notes:
            pages[-1].extend(["", *notes])
        return ["\n\n".join(lines) for lines in pages]

    def extractor_name(self) -> str:
        return f"python-docx {version('python-docx')}"


def _docx_run_text(node: object) -> str:
    text = node.text or ""
    run = node.getparent()
    if run is not None and run.tag == _W_R and text.strip().isdigit():
        properties = run.find(_W_RPR)
        align = properties.find(_W_VERT_ALIGN) if properties is not None else None
        if align is not None and align.get(_W_VAL) == "superscript":
            return to_superscript(int(text.strip()))
    return text


def _docx_footnotes(document: docx.document.Document) -> dict[str, str]:
    """Word's footnotes (word/footnotes.xml) by id, as plain text."""
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/word/footnotes.xml":
            root = etree.parse(io.BytesIO(part.blob)).getroot()
            notes = {}
            for note in root.iterchildren(qn("w:footnote")):
                if note.get(_W_TYPE) in ("separator", "continuationSeparator"):
                    continue
                text = " ".join(
                    "".join(t.text or "" for t in p.iter(_W_T)) for p in note.iter(_W_P)
                )
                notes[note.get(_W_ID)] = text.strip()
            return notes
    return {}
