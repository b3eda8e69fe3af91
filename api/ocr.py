"""Whether cited evidence was read by OCR, in the API's evidence and notes."""


def ocr_data(evidence) -> dict:
    """``ocr``: the quote was read by OCR from a scanned page; ``ocr_confidence``: the mean
    OCR confidence (0-100) of its words, or None."""
    return {"ocr": evidence.from_ocr, "ocr_confidence": evidence.ocr_confidence}
