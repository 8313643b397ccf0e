"""The `taizhang` command line."""

from __future__ import annotations

import argparse
import functools
import logging
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.config import Settings
from bot.serve.campaign_file import read_campaign_file, template_names
from bot.serve.clock import clock_of, wall_clock
from locales import Translator
from storage import campaigns, planning
from storage.audit import Stamp
from storage.db import Database, current_revision
from workflows.campaign import CampaignInvalid, CampaignSpec
from workflows.messages import Msg, msg


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="taizhang", description="taizhang: the campaign ledger bot")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot (long polling, or --webhook)")
    run.add_argument("--campaign", help="load this campaign file (or template name) first")
    run.add_argument("--webhook", action="store_true", help="serve Telegram's webhook")
    run.add_argument("--listen", default="127.0.0.1:8080", help="webhook: HOST:PORT to listen on")
    run.add_argument("--url", help="webhook: the public https:// URL Telegram posts to")
    sub.add_parser("migrate", help="bring the database schema up to date, then exit")
    demo = sub.add_parser("demo", help="a campaign fortnight, offline, on a fast clock")
    demo.add_argument("--campaign", default="bazhou-2024", help="template name or file")
    demo.add_argument("--speed", type=float, default=600.0, help="simulated seconds per second")
    demo.add_argument("--out", default="taizhang-demo", help="where to write the results")
    demo.add_argument("--lang", choices=("zh_CN", "en"), default=None)
    demo.add_argument(
        "--no-serve",
        action="store_true",
        help="end after the fortnight instead of serving its Mini App pages until Ctrl-C",
    )
    start = sub.add_parser("start", help="run the bot if a token is set, else the offline demo")
    start.add_argument("--campaign", default="bazhou-2024", help="template name or file")
    camp = sub.add_parser("campaign", help="load or show the campaign")
    csub = camp.add_subparsers(dest="action", required=True)
    load = csub.add_parser("load", help="load a campaign file or a shipped template")
    load.add_argument("file")
    csub.add_parser("show", help="print the phases and deadlines")
    csub.add_parser("templates", help="list the shipped templates")
    export = sub.add_parser("export", help="write the campaign workbook (.xlsx)")
    export.add_argument("--out", default="taizhang.xlsx", help="where to write it")
    cases = sub.add_parser("cases", help="forwarded cases")
    casub = cases.add_subparsers(dest="action", required=True)
    imp = casub.add_parser("import", help="import a registration ledger (.xlsx or .csv)")
    imp.add_argument("file")
    imp.add_argument("--unit", help="the unit, when the file has no unit column")
    ledger = sub.add_parser("ledger", help="the problem ledger")
    lsub = ledger.add_subparsers(dest="action", required=True)
    limp = lsub.add_parser("import", help="import a unit's ledger workbook (.xlsx or .xls)")
    limp.add_argument("file")
    limp.add_argument("--unit", required=True, help="the unit whose ledger it is")
    limp.add_argument("--yes", action="store_true", help="import without asking to confirm")
    return p


def load_campaign(db: Database, spec: CampaignSpec) -> bool:
    """Save the campaign in one unit of work; whether anything changed."""
    with db.unit_of_work() as session:
        _, changed = campaigns.save_campaign(session, spec, Stamp(datetime.now(UTC)))
    return changed


def _show(db: Database, tr: Translator, lang: str) -> int:
    year = datetime.now(UTC).year
    with db.unit_of_work() as session:
        camp = campaigns.active_campaign(session)
        if camp is None or camp.id is None:
            print(tr.text(msg("cli.no_campaign"), lang))
            return 1
        zone = ZoneInfo(camp.timezone)
        print(tr.text(msg("cli.show_header", name=camp.name, timezone=camp.timezone), lang))
        units = [u.name for u in campaigns.units_of(session, camp.id)]
        print(tr.text(msg("cli.show_units", count=len(units), units=units), lang))
        for p in campaigns.phases_of(session, camp.id):
            print(
                tr.text(
                    msg("cli.show_phase", name=p.name, start=p.starts_on, end=p.ends_on),
                    lang,
                    year=year,
                )
            )
        for d in campaigns.deadlines_of(session, camp.id):
            print(
                tr.text(
                    msg("cli.show_deadline", due=d.due_at, deliverable=d.deliverable),
                    lang,
                    tz=zone,
                    year=year,
                )
            )
        for w in campaigns.weekly_reports(camp):
            print(
                tr.text(
                    msg(
                        "cli.show_weekly",
                        name=w.name,
                        weekday=msg(f"weekday.{w.weekday}"),
                        time=w.at.strftime("%H:%M"),
                    ),
                    lang,
                )
            )
    return 0


def _import_cases(
    settings: Settings, tr: Translator, lang: str, path: Path, unit: str | None
) -> int:
    from bot.delivery.enqueue import enqueue
    from bot.telegram.services import Services
    from bot.usecases.case_import import import_cases

    if not path.exists():
        print(tr.text(msg("cli.no_file", path=str(path)), lang), file=sys.stderr)
        return 2
    db = Database.open(settings.database_url)
    services = Services(db, settings, tr, wall_clock)
    try:
        deliver = functools.partial(enqueue, services)
        count, reading = import_cases(db, wall_clock, deliver, path, unit)
    except LookupError:
        print(tr.text(msg("cli.no_campaign"), lang), file=sys.stderr)
        return 2
    for problem in reading.file_problems:
        print(tr.text(problem, lang), file=sys.stderr)
    for row, column, problem in reading.problems:
        print(
            tr.text(msg("import.problem", row=row, column=column, problem=problem), lang),
            file=sys.stderr,
        )
    if reading.refused:
        print(tr.text(msg("import.nothing_imported"), lang), file=sys.stderr)
        return 2
    print(tr.text(msg("import.done", count=count), lang))
    return 0


def _import_ledger(settings: Settings, tr: Translator, args: argparse.Namespace) -> int:
    from bot.usecases.imports import console_import

    def confirm(question: str) -> bool:
        if args.yes:
            return True
        return sys.stdin.isatty() and input(question).strip().lower() in ("y", "yes")

    def text(message: Msg) -> str:  # the console prints no markup
        return re.sub(r"<[^>]+>", "", tr.text(message, settings.taizhang_locale))

    db = Database.open(settings.database_url)
    path = Path(args.file)
    return console_import(db, wall_clock, path, args.unit, text=text, confirm=confirm, say=print)


def _export(settings: Settings, tr: Translator, lang: str, out: Path) -> int:
    from bot.usecases.exports import export_workbook

    db = Database.open(settings.database_url)
    with db.unit_of_work() as session:
        camp = campaigns.active_campaign(session)
        if camp is None:
            print(tr.text(msg("cli.no_campaign"), lang), file=sys.stderr)
            return 2
        now = _now(settings)
        done = export_workbook(session, camp, str(out), lambda m: tr.text(m, lang), now=now)
    print(tr.text(msg("cli.exported", path=str(out), rows=done.rows), lang))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `taizhang` console script."""
    # PTB 22's durations as timedelta now (its next major's), not ints with a deprecation
    # warning on every 429; the code reads both
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = Settings()
    except ValidationError as err:
        for e in err.errors():
            print(f"taizhang: {e['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    tr = Translator.load(settings.taizhang_locale)
    lang = settings.taizhang_locale
    if args.command == "campaign" and args.action == "templates":
        print("\n".join(template_names()))
        return 0
    if args.command == "run" and not settings.telegram_bot_token:
        print(tr.text(msg("cli.no_token"), lang), file=sys.stderr)
        return 2
    if args.command in ("run", "start") and settings.telegram_bot_token:
        from bot.serve.clock import clock_refusal

        refused = clock_refusal(settings)
        if refused is not None:  # a fast clock never reaches real people
            print(tr.text(refused, lang), file=sys.stderr)
            return 2
    spec = None
    if args.command == "start" and not settings.telegram_bot_token:
        print(tr.text(msg("cli.no_token_demo"), lang))
        args.command, args.speed, args.out, args.lang = "demo", 600.0, "taizhang-demo", None
        args.no_serve = False
    if args.command == "demo":
        from bot.sandbox.demo import demo_command as demo_main

        where, speed, language = Path(args.out), args.speed, args.lang or lang
        return demo_main(where, args.campaign, speed, language, serve=not args.no_serve)
    if args.command == "start":
        args.command = "run"
    if args.command == "export":
        return _export(settings, tr, lang, Path(args.out))
    if args.command == "cases":
        return _import_cases(settings, tr, lang, Path(args.file), args.unit)
    if args.command == "ledger":
        return _import_ledger(settings, tr, args)
    campaign_file = getattr(args, "file", None) or getattr(args, "campaign", None)
    if campaign_file:
        try:
            spec = read_campaign_file(campaign_file, settings)
        except FileNotFoundError:
            print(tr.text(msg("cli.no_file", path=campaign_file), lang), file=sys.stderr)
            return 2
        except CampaignInvalid as err:
            for problem in err.errors:
                print(f"{problem.path}: {tr.text(problem.message, lang)}", file=sys.stderr)
            return 2
    db = Database.open(settings.database_url)
    if spec is not None:
        changed = load_campaign(db, spec)
        print(
            tr.text(
                msg(
                    "cli.loaded" if changed else "cli.unchanged",
                    name=spec.name,
                    units=len(spec.units),
                    deadlines=len(spec.deadlines),
                ),
                lang,
            )
        )
    if args.command in ("campaign", "run"):
        _say_if_over(db, tr, lang, _now(settings))
    if args.command == "campaign":
        return _show(db, tr, lang)
    if args.command == "migrate":
        revision = current_revision(db.engine)
        print(
            tr.text(msg("cli.migrated", revision=revision, url=settings.shown_database_url), lang)
        )
        return 0
    from bot.serve.run import run

    if getattr(args, "webhook", False):
        return run(settings, db, listen=args.listen, url=args.url or "")
    return run(settings, db)


def _now(settings: Settings) -> datetime:
    """Now as the bot sees it: the testing clock's time when TAIZHANG_CLOCK is accepted."""
    clock = clock_of(settings)
    return wall_clock() if isinstance(clock, Msg) else clock()


def _say_if_over(db: Database, tr: Translator, lang: str, now: datetime) -> None:
    """A campaign whose phases and deadlines are all behind `now` sends nothing: say so."""
    with db.unit_of_work() as session:
        camp = campaigns.active_campaign(session)
        if camp is None:
            return
        span = planning.span_of(session, camp)
        name, zone = camp.name, ZoneInfo(camp.timezone)
    if span.over(now) and span.ends_at is not None:
        over = msg("cli.campaign_over", name=name, ends=span.ends_at)
        print(tr.text(over, lang, tz=zone, year=now.astimezone(zone).year))  # a past year shown


if __name__ == "__main__":
    sys.exit(main())
