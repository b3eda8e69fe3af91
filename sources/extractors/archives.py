"""ZIP bomb checks for zip-based formats (DOCX), run before any parser opens the archive.

A DOCX of 1 MB can inflate to gigabytes (one huge member of zeros) or hold hundreds of
thousands of tiny members; python-docx reads every part into memory. :func:`check_zip` reads
only the archive's directory: the member count from the end record (before ``zipfile`` builds
one object per member), then each member's declared sizes. The declared size is a real bound:
``zipfile`` never returns more bytes from a member than its directory entry declares.

No library offers this for ZIP archives (``defusedxml`` guards XML entities, not archives),
hence the hand-written checks.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

from .errors import IngestionError

# Members smaller than this may compress at any ratio (a repetitive XML part of a few kilobytes
# legitimately compresses 50:1); the ratio limit applies from this size up.
_RATIO_FROM_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """What a zip-based upload may unpack to (settings SOURCE_ARCHIVE_*)."""

    max_members: int = 5000
    max_member_bytes: int = 100 * 2**20
    max_total_bytes: int = 300 * 2**20
    max_ratio: float = 100.0


_REFUSED = "It looks like a “zip bomb” and is refused; save the document again and upload it."


def check_zip(path: str | os.PathLike[str], limits: ArchiveLimits) -> None:
    """Raise :class:`IngestionError` when the ZIP archive at ``path`` unpacks to too much.

    Raises :class:`zipfile.BadZipFile` for a file that is not a readable ZIP archive (the
    caller knows which format it is and says so)."""
    with open(path, "rb") as file:
        # The end record holds the member count; zipfile has no public reader of it.
        end = zipfile._EndRecData(file)
    if end is None:
        raise zipfile.BadZipFile("no end of central directory")
    count = end[zipfile._ECD_ENTRIES_TOTAL]
    if count > limits.max_members:
        raise IngestionError(
            f"This file is a compressed archive of {count:,} parts, over the limit of "
            f"{limits.max_members:,}. {_REFUSED}"
        )
    total = 0
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise IngestionError(
                f"This file is a compressed archive of {len(members):,} parts, over the limit "
                f"of {limits.max_members:,}. {_REFUSED}"
            )
        for member in members:
            size = member.file_size
            if size > limits.max_member_bytes:
                raise IngestionError(
                    f"The part “{member.filename}” of this file unpacks to {_mb(size)}, over "
                    f"the limit of {_mb(limits.max_member_bytes)} per part. {_REFUSED}"
                )
            ratio = size / max(member.compress_size, 1)
            if size >= _RATIO_FROM_BYTES and ratio > limits.max_ratio:
                raise IngestionError(
                    f"The part “{member.filename}” of this file is compressed {ratio:,.0f} "
                    f"times (from {_mb(member.compress_size)} to {_mb(size)}), over the limit "
                    f"of {limits.max_ratio:,.0f} times. {_REFUSED}"
                )
            total += size
            if total > limits.max_total_bytes:
                raise IngestionError(
                    f"This file unpacks to more than {_mb(limits.max_total_bytes)}, the limit "
                    f"for a compressed document. {_REFUSED}"
                )


def _mb(size: int) -> str:
    if size < 100 * 1024:
        return f"{size:,} bytes"
    return f"{size / 2**20:,.1f}".removesuffix(".0") + " MB"
