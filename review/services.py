"""The evidence check of a brief revision: which citation, in which block, what is wrong.

The same check gates the workflow (``EvidenceCheckTask``), the editorial sign-off and any
direct publication by an administrator (``wagtail_hooks.before_publish_page``)."""

from dataclasses import asdict, dataclass, field

from briefs.citations import walk_evidence_ids
from evidence.models import Evidence
from evidence.services import same_wording

QUOTE_CHARS = 80


@dataclass
class CitationProblem:
    block_number: int  # 1-based position of the top-level block in the body
    block_label: str
    block_id: str
    evidence_id: int
    quote: str
    problems: list[str] = field(default_factory=list)
    evidence_admin_url: str = ""

    def as_dict(self):
        return asdict(self)

    @property
    def text(self):
        where = f"Block {self.block_number} ({self.block_label})"
        if not self.quote:
            return f"{where}: evidence #{self.evidence_id} {'; '.join(self.problems)}."
        return (
            f"{where}: “{self.quote}” (evidence #{self.evidence_id}) — "
            + "; ".join(self.problems)
            + "."
        )


@dataclass
class CheckResult:
    checked: int  # citations checked (a piece of evidence cited twice counts twice)
    problems: list[CitationProblem]

    @property
    def passed(self):
        return not self.problems


def _short(quote):
    quote = " ".join((quote or "").split())
    return quote if len(quote) <= QUOTE_CHARS else quote[: QUOTE_CHARS - 1].rstrip() + "…"


def check_body(stream_value, pinned=None) -> CheckResult:
    """Check every citation of a brief body (a StreamValue); ``pinned`` is the revision's
    ``cited_quotes``, the wording its authors and reviewers saw."""
    stream_block = stream_value.stream_block
    citations = []  # (block number, label, block id, evidence id)
    for number, child in enumerate(stream_value.raw_data, start=1):
        block = stream_block.child_blocks.get(child.get("type"))
        if block is None:
            continue
        label = str(block.label or child.get("type", "").replace("_", " ").capitalize())
        seen = set()
        for evidence_id in walk_evidence_ids(block, child.get("value")):
            if evidence_id in seen:
                continue  # one line per piece of evidence per block
            seen.add(evidence_id)
            citations.append((number, label, child.get("id") or "", evidence_id))

    ids = {evidence_id for *_, evidence_id in citations}
    evidence = Evidence.objects.select_related("source", "source_text").in_bulk(ids)
    problems = []
    for number, label, block_id, evidence_id in citations:
        item = evidence.get(evidence_id)
        if item is None:
            problems.append(
                CitationProblem(
                    number,
                    label,
                    block_id,
                    evidence_id,
                    "",
                    ["no longer exists: cite another piece of evidence"],
                )
            )
            continue
        found = item.citation_problems()
        pin = (pinned or {}).get(str(evidence_id))
        if pin and not same_wording(pin.get("quote", ""), item.quote):
            found.append(
                f"its wording changed since this version was saved (“{_short(pin['quote'])}” now "
                f"reads “{_short(item.quote)}”): save the brief again to cite the new wording"
            )
        if found:
            problems.append(
                CitationProblem(
                    number,
                    label,
                    block_id,
                    evidence_id,
                    _short(item.quote),
                    found,
                    item.get_admin_url(),
                )
            )
    return CheckResult(checked=len(citations), problems=problems)


def check_revision(revision) -> CheckResult:
    """Check the brief as it stands in ``revision``."""
    page = revision.as_object()
    body = getattr(page, "body", None)
    if body is None:
        return CheckResult(checked=0, problems=[])
    result = check_body(body, getattr(page, "cited_quotes", None))
    if result.checked == 0:
        result.problems.append(
            CitationProblem(
                0,
                "Body",
                "",
                0,
                "",
                ["the brief cites no evidence: every brief rests on cited quotes"],
            )
        )
    return result


def format_problems(problems) -> str:
    """The itemised list, one line per problem (as stored in the task state's comment)."""
    count = len(problems)
    lines = [
        f"The evidence check found {count} problem{'s' if count != 1 else ''}; "
        "fix them and resubmit:"
    ]
    for problem in problems:
        if problem.block_number == 0:
            lines.append(f"• The brief {problem.problems[0]}.")
        else:
            lines.append(f"• {problem.text}")
    return "\n".join(lines)


def problems_from_state(task_state) -> list[CitationProblem]:
    return [CitationProblem(**item) for item in (task_state.problems or [])]
