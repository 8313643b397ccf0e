"""Campaigns, their phases, deadlines and units: loaded in place, never losing ledger data."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, time, timedelta
from functools import wraps
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from storage.audit import Stamp, record, snapshot
from storage.models import Campaign, Deadline, Phase, Unit
from workflows.campaign import CampaignSpec, FeedbackRule, RecurringSpec
from workflows.deliverables.checkpoints import Checkpoint
from workflows.documents.cadence import Cadence, cadences_from
from workflows.guards import required
from workflows.json_types import JSONValue
from workflows.problems.ledger import LedgerSpec, ledger_from, spec_to_json
from workflows.supervision.scores import ScoreRule
from workflows.words import name_key


def active_campaign(session: Session) -> Campaign | None:
    """The campaign the bot runs: the active one most recently loaded."""
    stmt = select(Campaign).where(Campaign.active).order_by(col(Campaign.updated_at).desc())
    return session.exec(stmt).first()


def save_campaign(session: Session, spec: CampaignSpec, stamp: Stamp) -> tuple[Campaign, bool]:
    """Create or update the campaign named in `spec`; returns it and whether anything changed."""
    camp = session.exec(select(Campaign).where(Campaign.name == spec.name)).first()
    before = snapshot(camp)
    if camp is None:
        camp = Campaign(
            name=spec.name,
            year=spec.year,
            timezone=spec.timezone,
            loaded_at=stamp.at,
            updated_at=stamp.at,
        )
    camp.year = spec.year
    camp.timezone = spec.timezone
    camp.reminders = [int(r.total_seconds()) for r in spec.reminders]
    camp.weekly_reports = [
        {"name": w.name, "weekday": w.weekday, "time": w.at.strftime("%H:%M")}
        for w in spec.weekly_reports
    ]
    camp.feedback_working_days = spec.feedback.working_days
    camp.feedback_cutoff = spec.feedback.cutoff.strftime("%H:%M")
    camp.feedback_rules = {
        "remind_at": spec.feedback.remind_at.strftime("%H:%M"),
        "remind_before": int(spec.feedback.remind_before.total_seconds()),
        "admins_after": spec.feedback.admins_after,
        "cadences": [c.to_json() for c in spec.cadences],  # kept with the rules: no new column
    }
    camp.scores = spec.scores
    camp.categories = list(spec.categories)
    camp.ledger = spec_to_json(spec.ledger)
    camp.checkpoints = [
        {"text": c.text, "day": c.day.isoformat(), "check": c.check} for c in spec.checkpoints
    ]
    camp.default_due_time = spec.default_due_time.strftime("%H:%M")
    camp.active = True
    for other in session.exec(select(Campaign).where(Campaign.name != spec.name, Campaign.active)):
        other.active = False
    session.add(camp)
    session.flush()
    camp_id = required(camp.id, "the campaign's id after flush")
    changed = snapshot(camp) != before
    changed |= _save_units(session, camp_id, spec)
    changed |= _save_phases(session, camp_id, spec)
    changed |= _save_deadlines(session, camp_id, spec, stamp)
    if changed:
        camp.updated_at = stamp.at
        record(session, stamp, "campaign.load", "campaign", camp.id, before, snapshot(camp))
    return camp, changed


def _save_units(session: Session, campaign_id: int, spec: CampaignSpec) -> bool:
    existing = {
        u.name_key: u for u in session.exec(select(Unit).where(Unit.campaign_id == campaign_id))
    }
    changed = False
    for position, name in enumerate(spec.units):
        key = name_key(name)
        unit = existing.pop(key, None) or Unit(campaign_id=campaign_id, name=name, name_key=key)
        if unit.id is None or (unit.position, unit.name, unit.active) != (position, name, True):
            changed = True
        unit.position, unit.name, unit.active = position, name, True
        session.add(unit)
    for gone in existing.values():  # kept with its ledger, only no longer offered
        changed |= gone.active
        gone.active = False
    return changed


def _save_phases(session: Session, campaign_id: int, spec: CampaignSpec) -> bool:
    existing = {
        p.name: p for p in session.exec(select(Phase).where(Phase.campaign_id == campaign_id))
    }
    changed = False
    for position, ps in enumerate(spec.phases):
        phase = existing.pop(ps.name, None) or Phase(
            campaign_id=campaign_id,
            name=ps.name,
            position=position,
            starts_on=ps.start,
            ends_on=ps.end,
        )
        new = (position, ps.start, ps.end)
        if phase.id is None or (phase.position, phase.starts_on, phase.ends_on) != new:
            changed = True
        phase.position, phase.starts_on, phase.ends_on = new
        session.add(phase)
    for gone in existing.values():
        session.delete(gone)
        changed = True
    return changed


def _save_deadlines(session: Session, campaign_id: int, spec: CampaignSpec, stamp: Stamp) -> bool:
    rows = session.exec(select(Deadline).where(Deadline.campaign_id == campaign_id))
    existing = {d.deliverable: d for d in rows}
    changed = False
    for ds in spec.deadlines:
        due = ds.due.replace(tzinfo=spec.zone).astimezone(UTC)
        row = existing.pop(ds.deliverable, None) or Deadline(
            campaign_id=campaign_id, deliverable=ds.deliverable, due_at=due, created_at=stamp.at
        )
        units = list(ds.units) if ds.units is not None else None
        new = (due, ds.note, ds.text, units, False, True)
        old = (row.due_at, row.note, row.source_text, row.unit_names, row.cancelled, row.from_file)
        if row.id is None or old != new:
            changed = True
        if row.due_at != due:  # moved: planned afresh for the new time
            row.due_set_at = stamp.at
        row.due_at, row.note, row.source_text, row.unit_names, row.cancelled, row.from_file = new
        session.add(row)
    for gone in existing.values():  # submissions point at it: cancel, never delete
        if gone.from_file and not gone.cancelled:
            gone.cancelled = True
            changed = True
    return changed


def units_of(session: Session, campaign_id: int, *, active_only: bool = True) -> list[Unit]:
    """The campaign's units in the order of its file."""
    stmt = select(Unit).where(Unit.campaign_id == campaign_id)
    if active_only:
        stmt = stmt.where(Unit.active)
    return list(session.exec(stmt.order_by(col(Unit.position))))


def unit_named(session: Session, campaign_id: int, name: str) -> Unit | None:
    """The campaign's unit of that name, compared as `name_key` does (Zone A = zone a)."""
    stmt = select(Unit).where(Unit.campaign_id == campaign_id, Unit.name_key == name_key(name))
    return session.exec(stmt).first()


def phases_of(session: Session, campaign_id: int) -> list[Phase]:
    """The campaign's phases in order."""
    stmt = select(Phase).where(Phase.campaign_id == campaign_id).order_by(col(Phase.position))
    return list(session.exec(stmt))


def deadlines_of(
    session: Session, campaign_id: int, *, include_cancelled: bool = False
) -> list[Deadline]:
    """The campaign's deadlines, soonest first."""
    stmt = select(Deadline).where(Deadline.campaign_id == campaign_id)
    if not include_cancelled:
        stmt = stmt.where(col(Deadline.cancelled).is_(False))
    return list(session.exec(stmt.order_by(col(Deadline.due_at))))


def _clock(text: JSONValue) -> time:
    hh, mm = map(int, str(text).split(":"))
    return time(hh, mm)


def _int(value: JSONValue) -> int:
    """A number the campaign stored (as `save_campaign` wrote it)."""
    if isinstance(value, int | float | str):
        return int(value)
    raise ValueError(f"not a number: {value!r}")


Parsed = TypeVar("Parsed")


def _parsed_once(
    *columns: str,
) -> Callable[[Callable[[Campaign], Parsed]], Callable[[Campaign], Parsed]]:
    """A reading of the campaign's stored `columns`, parsed once per unit of work: a turn
    asks for its weekly reports or its ledger many times, the JSON is read again only when a
    column was given a new value (the campaign loaded again) or in another unit of work."""

    def decorate(parse: Callable[[Campaign], Parsed]) -> Callable[[Campaign], Parsed]:
        kept: WeakKeyDictionary[OrmSession, dict[int | None, tuple[tuple[object, ...], Parsed]]]
        kept = WeakKeyDictionary()
        lock = threading.Lock()  # units of work run in worker threads

        @wraps(parse)
        def read(camp: Campaign) -> Parsed:
            session = object_session(camp)
            source = tuple(getattr(camp, c) for c in columns)
            if session is None:  # a campaign of no unit of work: nothing to keep it for
                return parse(camp)
            with lock:
                found = kept[session].get(camp.id) if session in kept else None
            if found is not None and all(
                a is b or a == b for a, b in zip(found[0], source, strict=True)
            ):
                return found[1]
            value = parse(camp)
            with lock:
                kept.setdefault(session, {})[camp.id] = (source, value)
            return value

        return read

    return decorate


@_parsed_once("feedback_rules", "feedback_working_days", "feedback_cutoff")
def case_rules(camp: Campaign) -> FeedbackRule:
    """The campaign's rules for forwarded cases: due time, reminders, escalation."""
    extra = camp.feedback_rules or {}
    default = FeedbackRule()
    return FeedbackRule(
        working_days=camp.feedback_working_days,
        cutoff=_clock(camp.feedback_cutoff),
        remind_at=_clock(extra["remind_at"]) if "remind_at" in extra else default.remind_at,
        remind_before=(
            timedelta(seconds=_int(extra["remind_before"]))
            if "remind_before" in extra
            else default.remind_before
        ),
        admins_after=_int(extra.get("admins_after", default.admins_after)),
    )


def weekly_reports(camp: Campaign) -> list[RecurringSpec]:
    """The campaign's weekly reports."""
    return list(_weekly_reports(camp))


@_parsed_once("weekly_reports")
def _weekly_reports(camp: Campaign) -> tuple[RecurringSpec, ...]:
    return tuple(
        RecurringSpec(str(w["name"]), _int(w["weekday"]), _clock(w["time"]))
        for w in camp.weekly_reports
    )


@_parsed_once("ledger")
def ledger_spec(camp: Campaign) -> LedgerSpec:
    """The campaign's ledger columns and rules."""
    return ledger_from(camp.ledger)


def score_rule(camp: Campaign) -> ScoreRule:
    """The campaign's scoring rule (its file's `scores:`, or the default)."""
    return camp.scores


@_parsed_once("feedback_rules")
def cadences_of(camp: Campaign) -> tuple[Cadence, ...]:
    """The reviews the campaign's file schedules (`cadences:`), none by default."""
    return cadences_from((camp.feedback_rules or {}).get("cadences"))


def checkpoints_of(camp: Campaign) -> list[Checkpoint]:
    """The campaign's checkpoints (考核时间节点), earliest first."""
    return list(_checkpoints(camp))


@_parsed_once("checkpoints")
def _checkpoints(camp: Campaign) -> tuple[Checkpoint, ...]:
    return tuple(
        Checkpoint(str(c["text"]), date.fromisoformat(str(c["day"])), str(c.get("check", "")))
        for c in camp.checkpoints
    )
