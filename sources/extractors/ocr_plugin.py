"""The OCRmyPDF plugin of :mod:`sources.extractors.ocr`: reports OCR progress page by page."""

from ocrmypdf import hookimpl

from .ocr import progressbar_class


@hookimpl
def get_progressbar_class():
    return progressbar_class()
