"""`/evidence 尉犁-003`: the full record of one problem's evidence, for an inspection: each
file's name, type and size, who sent it and when the server received it, its SHA-256 (or
Telegram's id of it and why it has no hash), and where it was already used."""

from __future__ import annotations

from bot.delivery.acts import act_of
from bot.telegram.feature import Feature
from bot.telegram.item_lookup import item_for
from bot.telegram.reply import Reply
from bot.telegram.turn import Turn
from bot.usecases.evidence import evidence_record
from storage.models import Evidence
from workflows.messages import Msg, lines, msg
from workflows.people.roles import CommandName
from workflows.problems.evidence import short

SAID_LIMIT = 3500  # characters: longer records go as a text file (a message holds 4096)


def _entry(n: int, ev: Evidence, by: str) -> Msg:
    """One file's record."""
    proof = (
        msg("evidence.sha256", sha=ev.sha256)
        if ev.sha256
        else msg("hashes.record_none", why=short({"unique_id": ev.unique_id, "size": ev.size}))
    )
    extra: list[Msg | str] = []
    if ev.taken_at:
        extra.append(msg("evidence.taken_at", taken=ev.taken_at))
    if ev.latitude is not None and ev.longitude is not None:
        extra.append(
            msg("evidence.where", lat=ev.latitude, lon=ev.longitude, accuracy=ev.accuracy or 0)
        )
    return lines(
        [
            msg(
                "evidence.entry",
                n=n,
                name=ev.name,
                mime=ev.mime or ev.media,
                size=ev.size,
                at=ev.received_at,
                by=by or msg("evidence.someone"),
            ),
            proof,
            *extra,
        ]
    )


def cmd_evidence(turn: Turn, args: list[str]) -> None:
    """`/evidence 尉犁-003`: every file kept as the problem's evidence, in full."""
    if not args:
        turn.say(msg("evidence.usage"))
        return
    item = item_for(turn, args[0])
    if item is None:
        return
    record = evidence_record(act_of(turn), item)
    rows = record.files
    if not rows:
        turn.say(msg("evidence.none", code=item.code))
        return
    said = lines(
        [
            msg("evidence.header", code=item.code, name=item.name, count=len(rows)),
            *(_entry(n, ev, by) for n, (ev, by) in enumerate(rows, 1)),
            *record.flags,
        ]
    )
    text = turn.text(said)
    if len(text) <= SAID_LIMIT:
        turn.say(said)
        return
    # too long for one message: the whole record as a file, nothing cut
    stamp = turn.stamp.at.astimezone(turn.zone).strftime("%Y%m%d-%H%M")
    turn.replies.append(
        Reply(
            msg("evidence.as_file", code=item.code, count=len(rows)),
            document=(f"evidence-{item.code}-{stamp}.txt", text.encode("utf-8")),
        )
    )


FEATURE = Feature("evidence", commands={CommandName.EVIDENCE: cmd_evidence})
