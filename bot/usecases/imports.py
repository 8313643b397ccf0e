"""A unit's ledger imported from a workbook: the rows read to save (for the chat's save and
the console's), the console's `taizhang ledger import`, and for the planner a confirmed import
whose save died with its process, claimed so that one process goes on with it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from uuid import uuid4

from sqlmodel import Session

from storage import campaigns, chats, people, uploads
from storage import ledger_import as saving
from storage.audit import Stamp
from storage.db import Database
from storage.ledger_import import Stale as Stale  # what a door catches when a save stops
from storage.models import Campaign, Unit, WorkbookUpload, saved_id
from workflows.guards import required
from workflows.json_types import JSONValue
from workflows.messages import Msg, msg
from workflows.problems.ledger_import import (
    ImportProgress,
    ImportRow,
    KnownItems,
    LedgerTarget,
    preview_message,
    read_book,
    rows_to_save,
    tally,
)
from workflows.problems.workbook import WorkbookRefused, open_book


@dataclass(frozen=True)
class TakenUp:
    """An import to go on with: its upload, this save's mark on it, and where it answers (the
    chat and the person who pressed 确认导入)."""

    upload_id: int
    runner: str
    chat_id: int
    chat_kind: str
    chat_title: str
    user_id: int
    username: str | None
    display_name: str


def taken_up(session: Session, now: datetime) -> list[TakenUp]:
    """The confirmed imports whose save died with its process, each claimed for a new runner."""
    out = []
    for row in saving.dead_saves(session, now):
        chat = chats.chat_by_id(session, row.chat_id)
        person = people.person_by_user(session, row.user_id)
        runner = uuid4().hex
        if chat is None or person is None or not saving.claim_import(session, row, runner, now):
            continue
        out.append(
            TakenUp(
                saved_id(row),
                runner,
                chat.chat_id,
                chat.kind,
                chat.title,
                person.user_id,
                person.username,
                person.display_name,
            )
        )
    return out


def ledger_now(
    session: Session, camp: Campaign, unit: Unit, made: Collection[int] = ()
) -> tuple[LedgerTarget, KnownItems]:
    """The unit's ledger as an import reads it: its columns, and the items it has (but those
    `made`: the ones the import itself added before it was cut short)."""
    target = saving.ledger_target(session, camp, unit)
    return target, saving.known_items(session, saved_id(unit), target.spec, made)


def claim_save(session: Session, row: WorkbookUpload, runner: str, at: datetime) -> bool:
    """Let `runner` save a confirmed ledger; False while another save is at work on it."""
    return saving.claim_import(session, row, runner, at)


@dataclass(frozen=True)
class ImportToSave:
    """A confirmed import its runner goes on with: the upload, the unit's ledger as it was
    before the import began, and how far it got."""

    upload: WorkbookUpload
    target: LedgerTarget
    known: KnownItems
    progress: ImportProgress


def import_to_save(
    session: Session, camp: Campaign, upload_id: int, runner: str
) -> ImportToSave | None:
    """The import this runner saves, or None when it is no longer its to save."""
    row = uploads.upload_by_id(session, upload_id)
    progress = saving.import_progress(session, upload_id, runner)
    unit = session.get(Unit, row.unit_id) if row is not None and row.unit_id else None
    if row is None or progress is None or unit is None:
        return None
    target, known = ledger_now(session, camp, unit, progress.made)
    return ImportToSave(row, target, known, progress)


def save_import_batch(
    session: Session,
    upload_id: int,
    runner: str,
    rows: Sequence[ImportRow],
    stamp: Stamp,
    source: Mapping[str, JSONValue],
) -> tuple[ImportProgress, str] | None:
    """The import's next batch saved; how far it got and its unit's name, or None when the
    upload is not this runner's (`Stale` when its unit is gone)."""
    progress = saving.save_batch(session, upload_id, runner, rows, stamp, source)
    if progress is None:
        return None
    row = required(uploads.upload_by_id(session, upload_id), "the upload")
    unit = required(session.get(Unit, row.unit_id), "the upload's unit")
    return progress, unit.name


def drop_stale_import(
    session: Session, upload_id: int, runner: str, at: datetime
) -> tuple[str, ImportProgress] | None:
    """An import whose file or ledger changed, cancelled (what was saved before stays): its
    file's name and how far it got; None when it was not this runner's."""
    progress = saving.import_progress(session, upload_id, runner)
    row = uploads.upload_by_id(session, upload_id)
    if row is None or progress is None:
        return None
    uploads.close_upload(session, row, uploads.CANCELLED, at)
    return row.file_name, progress


def _sha256(data: bytes) -> str:
    """A file's fingerprint: the same file again goes on where its import stopped."""
    return hashlib.sha256(data).hexdigest()


def read_rows(
    data: bytes,
    name: str,
    target: LedgerTarget,
    known: KnownItems,
    progress: ImportProgress,
    expected: tuple[int, int],
) -> list[ImportRow]:
    """The file's rows, read whole before the first write (they are capped), if it still does
    what its preview said: else `Stale`, and nothing is written."""
    with open_book(data, name) as book:
        rows = rows_to_save(read_book(book.sheets, target, known), progress, expected)
    if rows is None:
        raise saving.Stale(name)
    return rows


def console_import(
    db: Database,
    clock: Callable[[], datetime],
    path: Path,
    unit_name: str,
    *,
    text: Callable[[Msg], str],
    confirm: Callable[[str], bool],
    say: Callable[[str], None],
) -> int:
    """`taizhang ledger import FILE --unit 轮台县`: the preview, a confirm, then the save
    (`text`: a message as the console prints it)."""

    if not path.exists():
        say(text(msg("cli.no_file", path=str(path))))
        return 2
    data = path.read_bytes()
    try:
        with open_book(data, path.name) as book, db.unit_of_work() as session:
            camp = campaigns.active_campaign(session)
            if camp is None:
                say(text(msg("cli.no_campaign")))
                return 2
            unit = campaigns.unit_named(session, saved_id(camp), unit_name)
            if unit is None:
                say(text(msg("bind.unknown_unit", text=unit_name)))
                return 2
            # an import of this file cut short: read as it was before it, and go on with it
            began = uploads.cut_short(session, saved_id(unit), _sha256(data))
            made = ImportProgress.of(began.state).made if began is not None else ()
            target, known = ledger_now(session, camp, unit, made)
            counts = tally(read_book(book.sheets, target, known))
    except WorkbookRefused as err:
        say(text(err.message))
        return 2
    say(text(preview_message(counts, unit=unit.name, file=path.name)))
    if not counts.ready:
        return 2 if counts.problems else 0
    if not confirm(text(msg("ledger_import.console_confirm"))):
        say(text(msg("ledger_import.cancelled", name=path.name)))
        return 1
    try:
        progress = _console_save(
            db, clock, data, path.name, unit_name, (counts.new, counts.changed)
        )
    except (saving.Stale, WorkbookRefused):
        say(text(msg("ledger_import.stale", name=path.name)))
        return 2
    say(text(msg("ledger_import.done", unit=unit.name, new=progress.new, changed=progress.changed)))
    return 0


def _console_save(
    db: Database,
    clock: Callable[[], datetime],
    data: bytes,
    name: str,
    unit_name: str,
    expected: tuple[int, int],
) -> ImportProgress:
    """The console's save, a batch at a time like the chat's; the same file for the same unit
    again goes on where a save cut short stopped."""
    runner = uuid4().hex
    with db.unit_of_work() as session:
        camp = required(campaigns.active_campaign(session), "the active campaign")
        unit = required(campaigns.unit_named(session, saved_id(camp), unit_name), unit_name)
        file = {"name": name, "digest": _sha256(data)}
        state = {"new": expected[0], "changed": expected[1]}
        row = uploads.cut_short(session, saved_id(unit), file["digest"]) or uploads.save_upload(
            session,
            kind="ledger",
            chat_id=uploads.CONSOLE,
            user_id=uploads.CONSOLE,
            unit_id=saved_id(unit),
            file=file,
            state=state,
            at=clock(),
        )
        saving.claim_import(session, row, runner, clock(), force=True)
        upload_id = saved_id(row)
        progress = required(saving.import_progress(session, upload_id, runner), "the progress")
        target, known = ledger_now(session, camp, unit, progress.made)
    rows = read_rows(data, name, target, known, progress, expected)
    source = {"file": name, "by": "console"}
    while progress.done < len(rows):
        with db.unit_of_work() as session:
            stamp = Stamp(clock())
            at = saving.save_batch(session, upload_id, runner, rows, stamp, source)
        progress = required(at, "the console's upload")
    return progress
