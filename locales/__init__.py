"""Message catalogs (gettext .po, read through Babel) and the rendering of `Msg` into text."""

from __future__ import annotations

import functools
import html
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_datetime
from babel.messages.pofile import read_po

from workflows.messages import Lines, Msg

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
_HERE = Path(__file__).parent


# the placeholders whose number chooses a plural form: the count, else (a message without
# one) the days, as in "1 working day overdue"
PLURAL_KEYS = ("count", "days")
_CATEGORIES = ("zero", "one", "two", "few", "many", "other")  # CLDR's, in gettext's order


def load_catalog(locale: str, directory: Path = _HERE) -> dict[str, str]:
    """The message ids and translations of one locale: `messages.po` and one file per area.

    An id defined in two files is an error, so areas cannot silently override each other.
    A message with plural forms is here in its `other` form (see `load_plurals`).
    """
    return {k: forms["other"] for k, forms in _read(locale, directory).items()}


def load_plurals(locale: str, directory: Path = _HERE) -> dict[str, dict[str, str]]:
    """The messages with plural forms (`msgid_plural`), each by CLDR category (`one`, `other`),
    chosen by the number of their first placeholder of `PLURAL_KEYS` (`{count}`, `{days}`)."""
    return {k: forms for k, forms in _read(locale, directory).items() if len(forms) > 1}


def _read(locale: str, directory: Path) -> dict[str, dict[str, str]]:
    """Each message's forms, parsed once for as long as no .po file of the locale changes:
    every bot the tests start loads the catalogs again (0.13 s of Babel's parsing each)."""
    stats = [(p, p.stat()) for p in sorted((directory / locale / "LC_MESSAGES").glob("*.po"))]
    stamps = tuple((str(p), st.st_mtime_ns, st.st_size) for p, st in stats)
    return {key: dict(forms) for key, forms in _parsed(locale, stamps).items()}


@functools.lru_cache(maxsize=16)
def _parsed(locale: str, files: tuple[tuple[str, int, int], ...]) -> dict[str, dict[str, str]]:
    """The .po files (path, mtime, size: a changed file is read again) of one locale."""
    found: dict[str, dict[str, str]] = {}
    categories = plural_categories(locale)
    for name, _, _ in files:
        path = Path(name)
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        for m in catalog:
            if not (m.id and m.string):
                continue
            key = str(m.id[0] if isinstance(m.id, tuple | list) else m.id)
            if key in found:
                raise ValueError(f"{path.name}: message {key!r} is defined twice")
            if isinstance(m.string, tuple | list):
                if len(m.string) != len(categories) or not all(m.string):
                    raise ValueError(f"{path.name}: {key!r} wants forms for {categories}")
                found[key] = dict(zip(categories, map(str, m.string), strict=True))
            else:
                found[key] = {"other": str(m.string)}
    return found


def plural_categories(locale: str) -> tuple[str, ...]:
    """The locale's plural categories in the order of a .po's `msgstr[n]`: en `one, other`."""
    tags = _babel(locale).plural_form.tags | {"other"}
    return tuple(c for c in _CATEGORIES if c in tags)


@functools.lru_cache(maxsize=4096)  # a catalog's templates, parsed once each
def placeholders(template: str) -> frozenset[str]:
    """The named `{placeholders}` of a template."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


@functools.lru_cache(maxsize=8)  # Babel looks a locale's name up on disk each time it is parsed
def _babel(locale: str) -> Locale:
    """Babel's locale, parsed once."""
    return Locale.parse(locale)


class MissingPlaceholder(KeyError):
    """A strict translator was given a message without a value for one of its placeholders."""


class Translator:
    """Renders messages in a locale; dates read `2月6日（周五）18:00` or `Fri 6 Feb 18:00`.

    A strict translator (the sandbox's: tests and the demo) raises `MissingPlaceholder` where
    the running bot shows `{name}` rather than fail mid-conversation.
    """

    def __init__(
        self,
        catalogs: Mapping[str, Mapping[str, str]],
        default: str = DEFAULT_LOCALE,
        *,
        strict: bool = False,
        plurals: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
    ):
        self.catalogs = catalogs
        self.default = default
        self.strict = strict
        self.plurals = plurals or {}

    @classmethod
    def load(cls, default: str = DEFAULT_LOCALE, *, strict: bool = False) -> Translator:
        """The shipped catalogs."""
        return cls(
            {loc: load_catalog(loc) for loc in LOCALES},
            default,
            strict=strict,
            plurals={loc: load_plurals(loc) for loc in LOCALES},
        )

    def locale(self, wanted: str | None) -> str:
        """`wanted` if we have it, else the default locale."""
        return wanted if wanted is not None and wanted in self.catalogs else self.default

    def template(self, message_id: str, locale: str | None = None) -> str:
        """The raw template; the default locale's, or the id itself, when missing."""
        loc = self.locale(locale)
        return self.catalogs[loc].get(message_id) or self.catalogs[self.default].get(
            message_id, message_id
        )

    def text(
        self,
        message: Msg | str,
        locale: str | None = None,
        *,
        tz: tzinfo | None = None,
        escape: bool = False,
        year: int | None = None,
    ) -> str:
        """The message as text; parameters are HTML-escaped when `escape` is set.

        Dates show their year only when it differs from `year` (the reader's current year).
        """
        if isinstance(message, str):
            return html.escape(message, quote=False) if escape else message
        loc = self.locale(locale)
        opts = _Opts(tz, escape, year)
        params = {k: self._param(v, loc, opts) for k, v in message.params.items()}
        template = self.template(message.id, loc)
        forms = self.plurals.get(loc, {}).get(message.id)
        if forms:
            given = (message.params.get(k) for k in PLURAL_KEYS)
            count = next((n for n in given if isinstance(n, int)), None)
            if count is not None:
                template = forms.get(_babel(loc).plural_form(count), template)
        if self.strict and (absent := placeholders(template) - params.keys()):
            raise MissingPlaceholder(f"{message.id}: no value for {sorted(absent)}")
        try:
            return template.format_map(_Lenient(params))
        except (ValueError, IndexError):
            return template

    def when(
        self,
        value: datetime | date,
        locale: str | None = None,
        *,
        tz: tzinfo | None = None,
        year: int | None = None,
    ) -> str:
        """A date, or a date and time, in the locale's short official form."""
        loc = self.locale(locale)
        kind = "datetime" if isinstance(value, datetime) else "date"
        if isinstance(value, datetime):
            if value.tzinfo is not None and tz is not None:
                value = value.astimezone(tz)
        else:
            value = datetime.combine(value, datetime.min.time())
        if year is not None and value.year != year:
            kind += "_year"
        return format_datetime(value, self.template(f"format.{kind}", loc), locale=_babel(loc))

    def _param(self, value: Any, loc: str, opts: _Opts) -> str:
        if isinstance(value, Msg):
            return self.text(value, loc, tz=opts.tz, escape=opts.escape, year=opts.year)
        if isinstance(value, datetime | date):
            return self.when(value, loc, tz=opts.tz, year=opts.year)
        if isinstance(value, Lines):
            return "\n".join(self._param(v, loc, opts) for v in value)
        if isinstance(value, list | tuple):
            sep = self.template("format.list_sep", loc)
            return sep.join(self._param(v, loc, opts) for v in value)
        text = str(value)
        return html.escape(text, quote=False) if opts.escape else text


@dataclass(frozen=True)
class _Opts:
    tz: tzinfo | None
    escape: bool
    year: int | None


class _Lenient(dict[str, str]):
    """A missing placeholder shows as itself rather than raising mid-conversation."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
