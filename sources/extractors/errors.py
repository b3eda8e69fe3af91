"""What extraction reports: the refusal an analyst reads, the hand-over to OCR, progress.

At the bottom of the extractors package: every module may import it, it imports none."""

from collections.abc import Callable

ProgressCallback = Callable[[int, int], None]


class NeedsOcr(Exception):
    """Raised when extraction without OCR meets pages that need it: the worker then hands the
    source to the OCR queue."""


class IngestionError(Exception):
    """A file that cannot be ingested; ``str()`` is a one-line message for the analyst."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self)
