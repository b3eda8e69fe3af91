"""Readers' and editors' search text, made safe for the search backends.

Wagtail's SQLite backend (the embedded default) hands the text to FTS5 as a query, where an
unbalanced double quote is a syntax error, and PostgreSQL refuses NUL characters in any string:
both would be a 500. Neither backend does phrase search with quotes on a plain query string,
so dropping them loses nothing."""

import re

_UNSAFE = re.compile(r'["\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
MAX_LENGTH = 200


def clean_query(text):
    """``text`` without double quotes and control characters, whitespace collapsed, at most
    MAX_LENGTH characters; "" when nothing searchable is left."""
    return " ".join(_UNSAFE.sub(" ", text or "").split())[:MAX_LENGTH]
