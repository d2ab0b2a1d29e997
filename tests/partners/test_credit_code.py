"""The unified social credit code (统一社会信用代码, GB 32100-2015), checked without HTTP."""

from __future__ import annotations

import pytest

from partners.organizations.enterprises import (
    CreditCodeError,
    check_credit_code,
    credit_code_check_character,
    is_valid_credit_code,
)

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Codes as printed on real business licences.
KNOWN_VALID = [
    "91350100M000100Y43",
    "91110000600037341L",
    "91440300708461136T",
    "914403001922038216",
]
# First 17 characters of real-looking codes (工商 enterprises, old and new organization codes).
FIRST_17 = [
    "91320500MA1MT5QH4",
    "91330100MA27Y9Q0F",
    "91110108551385082",
    "12100000400000060",  # 1 = 机构编制, 2 = 事业单位
    "52440000MJL147358",  # 5 = 民政, 2 = 基金会
]


def reference_check(first17: str) -> str:
    """The standard's formula written out again, independently of the code under test."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    check = 31 - total % 31
    return "0" if check == 31 else ALPHABET[check]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_codes_from_real_licences_are_valid(code):
    assert check_credit_code(code) == code
    assert reference_check(code[:17]) == code[17]


@pytest.mark.parametrize("first17", FIRST_17)
def test_computed_codes_are_valid(first17):
    code = first17 + reference_check(first17)
    assert credit_code_check_character(first17) == code[17]
    assert check_credit_code(code) == code


def test_a_check_of_31_is_written_as_zero():
    # Search the first 17 characters whose weighted sum is a multiple of 31.
    for last in ALPHABET:
        first17 = "9132050000000000" + last
        if reference_check(first17) == "0":
            assert credit_code_check_character(first17) == "0"
            assert is_valid_credit_code(first17 + "0")
            return
    pytest.fail("no prefix with check character 0 found")


def test_lowercase_and_spaces_are_accepted():
    assert check_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert check_credit_code("9135 0100 M000 100Y 43") == "91350100M000100Y43"


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y433", "9135"])
def test_wrong_length(code):
    with pytest.raises(CreditCodeError) as caught:
        check_credit_code(code)
    assert caught.value.kind == "length"


@pytest.mark.parametrize("bad", ["I", "O", "Z", "S", "V", "-", "中"])
def test_characters_outside_the_alphabet(bad):
    code = "91350100M000100Y4" + bad
    with pytest.raises(CreditCodeError) as caught:
        check_credit_code(code)
    assert caught.value.kind == "character"
    assert bad in caught.value.message


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_a_wrong_check_character(code):
    wrong = next(c for c in ALPHABET if c != code[17])
    with pytest.raises(CreditCodeError) as caught:
        check_credit_code(code[:17] + wrong)
    assert caught.value.kind == "check"


def test_a_swapped_pair_of_characters_is_caught():
    code = "91110000600037341L"
    swapped = code[:12] + code[13] + code[12] + code[14:]
    assert swapped != code
    assert not is_valid_credit_code(swapped)


def test_the_three_errors_have_distinct_messages():
    messages = set()
    for code in ("123", "91350100M000100YI3", "91350100M000100Y44"):
        with pytest.raises(CreditCodeError) as caught:
            check_credit_code(code)
        messages.add(caught.value.message)
    assert len(messages) == 3
