"""A problem's evidence (印证材料) in full, for an inspection: every file kept, who sent it, and
where the same files were used before."""

from __future__ import annotations

from dataclasses import dataclass

from bot.usecases.act import Act
from bot.usecases.closeout import evidence_flags
from storage import evidence as kept
from storage.models import Evidence, LedgerItem, saved_id
from workflows.messages import Msg


@dataclass(frozen=True)
class EvidenceRecord:
    """Every file kept as the problem's evidence (first received first, with its sender's
    name), and what the files' earlier uses for other problems flag."""

    files: list[tuple[Evidence, str]]
    flags: list[Msg]


def evidence_record(act: Act, item: LedgerItem) -> EvidenceRecord:
    """The problem's evidence and its flags (none when nothing is kept)."""
    rows = kept.evidence_of(act.session, saved_id(item))
    if not rows:
        return EvidenceRecord([], [])
    files = [{"sha256": ev.sha256, "unique_id": ev.unique_id, "name": ev.name} for ev, _ in rows]
    return EvidenceRecord(rows, evidence_flags(act, item, files))
