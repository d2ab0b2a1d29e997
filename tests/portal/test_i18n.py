"""Simplified Chinese by default, English on request, and a complete Chinese catalogue."""

from __future__ import annotations

import re

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from portal.i18n import LOCALE_DIR
from portal.settings import ROOT

PLACEHOLDER = re.compile(r"%\(\w+\)s")


def test_pages_speak_chinese_by_default(client):
    page = client.get("/login")
    assert page.context["locale"] == "zh_CN"
    assert "登录" in page.text and "Sign in" not in page.text
    assert '<html lang="zh-CN">' in page.text


def test_the_browser_language_is_honoured(client):
    page = client.get("/login", headers={"accept-language": "en-US,en;q=0.9"})
    assert "Sign in" in page.text and '<html lang="en">' in page.text


def test_the_language_link_switches_and_remembers(client):
    response = client.get("/lang/en?next=/login", follow_redirects=False)
    assert response.headers["location"] == "/login"
    assert "Sign in" in client.get("/login").text
    client.get("/lang/zh_CN")
    assert "登录" in client.get("/login").text


def extracted_messages() -> set[str]:
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "lazy": None}
    messages = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        messages.update([message] if isinstance(message, str) else [m for m in message if m])
    return messages


def test_every_ui_string_has_a_chinese_translation():
    with open(LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po)
    translated: dict[str, str] = {}
    for m in catalog:
        if not m.id or m.fuzzy:
            continue
        if isinstance(m.id, str):
            if m.string:
                translated[m.id] = m.string
        elif all(m.string):  # a plural: Chinese has one form, which serves both English ones
            translated |= {m.id[0]: m.string[0], m.id[1]: m.string[0]}
    missing = sorted(extracted_messages() - translated.keys())
    assert not missing, f"run scripts/update-translations and translate: {missing}"
    for message_id, chinese in translated.items():
        assert set(PLACEHOLDER.findall(message_id)) == set(PLACEHOLDER.findall(chinese)), message_id
