"""Translations: zh_CN by default, English second, through gettext catalogues read with Babel.

Message ids are English; the zh_CN catalogue carries the Chinese the UI shows by default.
The locale of the request in flight lives in a context variable, so `gettext` works the same
in handlers, rules and templates.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Mapping
from contextvars import ContextVar
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from types import MappingProxyType

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LOCALE = "zh_CN"
SUPPORTED_LOCALES = ("zh_CN", "en")
LOCALE_COOKIE = "lang"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def translations_for(locale: str) -> gettext_module.NullTranslations:
    """The catalogue of a locale, compiled from its .po file once per process."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def gettext(message: str, /, **variables: object) -> str:
    translated = translations_for(current_locale.get()).gettext(message)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, n: int, /, **variables: object) -> str:
    translated = translations_for(current_locale.get()).ngettext(singular, plural, n)
    return translated % {"num": n, **variables}


_ = gettext


def labels(choices: Mapping[str, str], locale: str | None = None) -> Mapping[str, str]:
    """Every code of a choices mapping (code → message id) with its label in a locale (the
    request's by default): built once per locale, then looked up per row by the pages."""
    return _labels(tuple(choices.items()), locale or current_locale.get())


@lru_cache(maxsize=512)
def _labels(items: tuple[tuple[str, str], ...], locale: str) -> Mapping[str, str]:
    translations = translations_for(locale)
    return MappingProxyType({code: translations.gettext(message) for code, message in items})


def lazy(message: str) -> str:
    """Marks a message for extraction where it must be translated later, at display time."""
    return message


def pick_locale(query_lang: str | None, cookie_lang: str | None, accept_language: str) -> str:
    """The locale of a request: an explicit choice first, then the browser's preference."""
    for choice in (query_lang, cookie_lang):
        if choice in SUPPORTED_LOCALES:
            return choice
    return negotiated_locale(accept_language)


@lru_cache(maxsize=512)
def negotiated_locale(accept_language: str) -> str:
    """The supported locale a browser's Accept-Language prefers (the same header string, sent
    with every request, is negotiated once)."""
    preferred = [
        part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")
    ]
    return (
        negotiate_locale([p for p in preferred if p], SUPPORTED_LOCALES, aliases={"zh": "zh_CN"})
        or DEFAULT_LOCALE
    )


LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType({"zh_CN": "简体中文", "en": "English"})


@cache
def language_name(locale: str) -> str:
    """A language as its own speakers name it in a language switch: 简体中文, English."""
    return LANGUAGE_NAMES.get(locale) or Locale.parse(locale).get_display_name(locale) or locale
