"""The wording of the Chinese catalogue: every msgid is checked against translations known to
be wrong (a student list headed 党员), and no Chinese sentence uses English punctuation."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from portal.i18n import LOCALE_DIR

# msgid → translations it must never have again (each was once shown to users).
KNOWN_WRONG: dict[str, set[str]] = {
    "Members": {"党员"},  # project students and organization members are not all party members
    "Members attending": {"出席党员"},
    "Organization name": {"姓名"},
    "Organization members": {"党员"},
    "Students": {"党员"},
    "Co-education projects": {"育人项目"},  # the thing is 协同育人项目 everywhere
    "Dual-mentor assignments": {"双导师安排"},  # the thing is 双导师结对
    "Dual-mentor assignment list": {"双导师安排"},
    "My dual-mentor assignments": {"我指导的学生"},  # the page it opens is headed 双导师结对
    "Joint party organizations": {"联合组织", "组织"},
}
# Words that must not appear in any translation: the old name of a thing that has one name.
RETIRED_WORDS: dict[str, str] = {
    "双导师安排": "双导师结对",
}
# One Chinese term, one English term: these Chinese labels may serve only these msgids.
ONE_TERM_EACH: dict[str, set[str]] = {
    "协同育人项目": {
        "Co-education projects",
        "Co-education project",
        "Project list",
        "co-education project",
    },
    "双导师结对": {"Dual-mentor assignments", "dual-mentor pairing"},
    "学生": {"Student", "Students", "student"},
}

CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
# ASCII punctuation touching a Chinese character (either side), or an ASCII pair of
# parentheses around Chinese text.
ENGLISH_PUNCTUATION = re.compile(rf"{CJK}\s*[:,;?!()]|[:,;?!(]\s*{CJK}|\){CJK}")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdif]|%%|\{[a-z_]*\}")
URL = re.compile(r"https?://\S+")


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    with (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file, locale="zh_CN")


def translations(catalogue: Catalog) -> list[tuple[str, str]]:
    """Every (msgid, msgstr) of the catalogue, plural forms included."""
    pairs = []
    for message in catalogue:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.extend((msgid, string) for string in strings if string)
    return pairs


def english_punctuation(text: str) -> list[str]:
    """The ASCII punctuation a Chinese sentence should write full-width (：，；？！（）),
    placeholders and URLs aside; times (10:00) and numbers (1,000) are not touched by CJK."""
    bare = URL.sub(" ", PLACEHOLDER.sub("X", text))
    return [match.group(0) for match in ENGLISH_PUNCTUATION.finditer(bare)]


def test_every_msgid_is_translated(catalogue):
    missing = [
        message.id
        for message in catalogue
        if message.id
        and not any(message.string if isinstance(message.string, tuple) else (message.string,))
    ]
    assert missing == []


def test_no_known_wrong_translation(catalogue):
    wrong = [
        (msgid, string)
        for msgid, string in translations(catalogue)
        if string in KNOWN_WRONG.get(msgid, set())
    ]
    assert wrong == []


def test_no_retired_name_of_a_thing(catalogue):
    retired = [
        (msgid, string, RETIRED_WORDS[word])
        for msgid, string in translations(catalogue)
        for word in RETIRED_WORDS
        if word in string
    ]
    assert retired == []


def test_no_english_punctuation_in_chinese(catalogue):
    found = {
        msgid: (string, marks)
        for msgid, string in translations(catalogue)
        if (marks := english_punctuation(string))
    }
    assert found == {}


def test_one_chinese_term_is_not_two_english_terms(catalogue):
    msgids_of: dict[str, set[str]] = defaultdict(set)
    for msgid, string in translations(catalogue):
        if string in ONE_TERM_EACH:
            msgids_of[string].add(msgid)
    confusing = {
        term: msgids - ONE_TERM_EACH[term]
        for term, msgids in msgids_of.items()
        if msgids - ONE_TERM_EACH[term]
    }
    assert confusing == {}


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("姓名: 张三", True),
        ("学生(在读)", True),
        ("%(name)s: 已保存", True),
        ("已保存, 请返回", True),
        ("会议 10:00 开始", False),
        ("%(name)s：%(count)s 人", False),
        ("共 1,000 人", False),
        ("见 https://example.cn/a,b 说明", False),
        ("导出 PDF (A4)", False),
    ],
)
def test_the_punctuation_check_itself(text, wrong):
    assert bool(english_punctuation(text)) is wrong
