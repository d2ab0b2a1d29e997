"""Tests for college.demo.people, the deterministic generator behind `portal seed-demo`."""

from __future__ import annotations

import dataclasses
import datetime
import re
import time
from collections import Counter

import pytest

from college.demo.people import (
    DemoCollege,
    build_demo_college,
    credit_code_check_character,
)

MOBILE = re.compile(r"^1[3-9]\d{9}$")
CLASS_NAME = re.compile(r"^(?P<short>\D+)(?P<yy>\d{2})(?P<no>\d{2})班$")
HAN = re.compile(r"^[\u4e00-\u9fff]+$")

# An independent implementation of GB 32100-2015, so a wrong constant in the module shows up.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # the standard's weights are 3^(i) mod 31
COMMON_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗")


def is_valid_credit_code(code: str) -> bool:
    """True when `code` has 18 allowed characters and a correct check character."""
    if len(code) != 18 or any(ch not in ALPHABET for ch in code):
        return False
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(code, WEIGHTS, strict=False))
    return ALPHABET[(31 - total % 31) % 31] == code[17]


@pytest.fixture(scope="module")
def college() -> DemoCollege:
    return build_demo_college()


@pytest.fixture(scope="module")
def big_college() -> DemoCollege:
    return build_demo_college(20_000)


# --- Credit codes ----------------------------------------------------------------------------


def test_independent_validator_agrees_with_the_standard_weights():
    assert WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    assert is_valid_credit_code("91350100M000100Y43")
    assert not is_valid_credit_code("91350100M000100Y44")


def test_check_character_of_known_example():
    assert credit_code_check_character("91350100M000100Y4") == "3"


def test_check_character_wraps_31_to_zero_and_uses_the_alphabet():
    assert credit_code_check_character("0" * 17) == "0"  # sum 0 -> 31 -> '0'
    assert credit_code_check_character("1" + "0" * 16) == "Y"  # sum 1 -> 30 -> 'Y'
    assert credit_code_check_character("0" * 16 + "1") == "3"  # 28 -> 3


@pytest.mark.parametrize("bad", ["", "91350100M000100Y", "91350100M000100Y43", "9135010OM000100Y4"])
def test_check_character_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        credit_code_check_character(bad)


def test_every_credit_code_is_valid_unique_and_realistic():
    enterprises = build_demo_college(student_count=0, enterprise_count=300).enterprises
    codes = [e.credit_code for e in enterprises]
    assert len(set(codes)) == len(codes) == 300
    for code in codes:
        assert is_valid_credit_code(code), code
        assert credit_code_check_character(code[:17]) == code[17]
        assert code[:2] == "91"  # 工商 + 企业
        assert re.fullmatch(r"\d{6}", code[2:8]), code


# --- Determinism and uniqueness --------------------------------------------------------------


def test_same_seed_gives_identical_output(college):
    assert build_demo_college() == college
    assert build_demo_college(50, 5, seed=7) == build_demo_college(50, 5, seed=7)


def test_different_seed_gives_different_output(college):
    other = build_demo_college(seed=1)
    assert [s.name for s in other.students] != [s.name for s in college.students]
    assert [e.credit_code for e in other.enterprises] != [
        e.credit_code for e in college.enterprises
    ]


def test_enterprises_do_not_depend_on_student_count(college):
    small = build_demo_college(student_count=30)
    assert small.enterprises == college.enterprises
    assert [m for m in small.mentors if m.side == "enterprise"] == [
        m for m in college.mentors if m.side == "enterprise"
    ]


def test_stable_values_are_unique(college):
    assert len({s.student_no for s in college.students}) == len(college.students) == 200
    assert len({e.name for e in college.enterprises}) == len(college.enterprises) == 8
    assert len({m.key for m in college.mentors}) == len(college.mentors)
    phones = (
        [s.phone for s in college.students]
        + [e.contact_phone for e in college.enterprises]
        + [m.phone for m in college.mentors]
    )
    assert len(set(phones)) == len(phones)


def test_records_are_frozen(college):
    with pytest.raises(dataclasses.FrozenInstanceError):
        college.students[0].name = "张三"  # type: ignore[misc]


# --- Departments and students ----------------------------------------------------------------


def test_departments_look_like_a_vocational_college(college):
    assert 4 <= len(college.departments) <= 6
    assert "智能制造学院" in college.departments
    assert "工业机器人技术" in college.departments["智能制造学院"]
    for majors in college.departments.values():
        assert 3 <= len(majors) <= 4
    all_majors = [m for majors in college.departments.values() for m in majors]
    assert len(all_majors) == len(set(all_majors))


def test_departments_dict_is_a_fresh_copy():
    first = build_demo_college(0, 0)
    first.departments["智能制造学院"].append("乱码")
    assert "乱码" not in build_demo_college(0, 0).departments["智能制造学院"]


def test_every_major_belongs_to_its_department(college):
    for s in college.students:
        assert s.major in college.departments[s.department], s


def test_student_no_encodes_cohort_department_and_class(college):
    dept_codes = {d: f"{i:02d}" for i, d in enumerate(college.departments, start=1)}
    for s in college.students:
        assert re.fullmatch(r"\d{10}", s.student_no), s.student_no
        assert s.student_no[:4] == str(s.cohort_year)
        assert s.student_no[4:6] == dept_codes[s.department]
        match = CLASS_NAME.match(s.class_name)
        assert match, s.class_name
        assert s.student_no[6:8] == match["no"]
        assert s.student_no[8:] != "00"


def test_class_name_is_consistent_with_major_and_cohort(college):
    short_name_of_major: dict[str, set[str]] = {}
    class_members: dict[str, set[tuple[str, str, int]]] = {}
    for s in college.students:
        match = CLASS_NAME.match(s.class_name)
        assert match, s.class_name
        assert int(match["yy"]) == s.cohort_year % 100
        short_name_of_major.setdefault(s.major, set()).add(match["short"])
        class_members.setdefault(s.class_name, set()).add((s.department, s.major, s.cohort_year))
    assert all(len(names) == 1 for names in short_name_of_major.values())
    shorts = [next(iter(names)) for names in short_name_of_major.values()]
    assert len(shorts) == len(set(shorts))  # different majors never share a short name
    assert all(len(members) == 1 for members in class_members.values())


def test_cohorts_and_birth_dates(college):
    assert {s.cohort_year for s in college.students} == {2022, 2023, 2024, 2025}
    for s in college.students:
        assert isinstance(s.birth_date, datetime.date)
        assert s.cohort_year - s.birth_date.year in (18, 19), s


def test_names_and_genders(college):
    for s in college.students:
        assert 2 <= len(s.name) <= 3 and HAN.match(s.name), s.name
        assert s.gender in ("M", "F")
    surnames = Counter(s.name[0] for s in build_demo_college(2000).students)
    assert {name for name, _ in surnames.most_common(5)} <= COMMON_SURNAMES


def test_gender_mix_fits_the_departments(big_college):
    female = Counter(s.department for s in big_college.students if s.gender == "F")
    total = Counter(s.department for s in big_college.students)
    assert female["健康护理学院"] / total["健康护理学院"] > 0.7
    assert female["智能制造学院"] / total["智能制造学院"] < 0.3


def test_political_status_shares(big_college):
    shares = Counter(s.political_status for s in big_college.students)
    n = len(big_college.students)
    assert set(shares) == {"01", "02", "03", "13"}
    assert 0.005 < shares["01"] / n < 0.04
    assert 0.01 < shares["02"] / n < 0.05
    assert 0.65 < shares["03"] / n < 0.75
    assert 0.20 < shares["13"] / n < 0.30


def test_all_phones_are_mobile_numbers(college):
    phones = (
        [s.phone for s in college.students]
        + [e.contact_phone for e in college.enterprises]
        + [m.phone for m in college.mentors]
    )
    for phone in phones:
        assert MOBILE.match(phone), phone


# --- Enterprises and mentors -----------------------------------------------------------------


def test_enterprises_are_believable(college):
    industries = {e.industry for e in college.enterprises}
    assert len(industries) >= 4
    for e in build_demo_college(0, 100).enterprises:
        assert e.name.endswith("公司") and HAN.match(e.name), e.name
        assert 80 <= e.employee_count <= 3000
        assert e.address.startswith(("江苏省", "浙江省", "广东省", "山东省", "四川省", "安徽省"))
        assert e.address.endswith("号")
        assert HAN.match(e.contact_person)
        assert datetime.date(2012, 1, 1) <= e.partner_since <= datetime.date(2025, 12, 31)
        assert 0 <= e.party_member_count < e.employee_count


def test_party_organisation_matches_member_count():
    suffixes = {"committee": "党委", "general_branch": "党总支", "branch": "党支部"}
    kinds = Counter()
    for e in build_demo_college(0, 200).enterprises:
        kinds[e.party_org_kind] += 1
        if e.party_org_kind == "none":
            assert e.party_org_name == ""
            assert e.party_member_count < 3
            continue
        assert e.party_org_name == e.name + suffixes[e.party_org_kind]
        if e.party_org_kind == "committee":
            assert e.party_member_count >= 100
        elif e.party_org_kind == "general_branch":
            assert 50 <= e.party_member_count < 100
        else:
            assert 3 <= e.party_member_count < 50
    assert set(kinds) == {"committee", "general_branch", "branch", "none"}


def test_mentors(college):
    college_side = [m for m in college.mentors if m.side == "college"]
    enterprise_side = [m for m in college.mentors if m.side == "enterprise"]
    assert len(college_side) + len(enterprise_side) == len(college.mentors)
    assert 14 <= len(college_side) <= 20  # about one per 12 students
    assert {m.department for m in college_side} == set(college.departments)
    for m in college_side:
        assert m.title in ("教授", "副教授", "讲师", "高级工程师", "助教")
        assert m.enterprise_index is None and m.position == ""
    per_enterprise = Counter(m.enterprise_index for m in enterprise_side)
    assert set(per_enterprise) == set(range(len(college.enterprises)))
    assert all(4 <= n <= 6 for n in per_enterprise.values())
    for m in enterprise_side:
        assert m.department == "" and m.title == "" and m.position
        assert m.key.startswith(f"ent-{m.enterprise_index}-")
    for m in college.mentors:
        assert 8 <= m.max_mentees <= 15
        assert 2 <= len(m.name) <= 3 and HAN.match(m.name)


def test_most_mentors_are_party_members(big_college):
    mentors = big_college.mentors
    share = sum(m.party_member for m in mentors) / len(mentors)
    assert 0.6 < share < 0.8


# --- Scale and limits ------------------------------------------------------------------------


def test_twenty_thousand_students_are_fast_and_unique():
    start = time.perf_counter()
    big = build_demo_college(20_000)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0
    assert len(big.students) == 20_000
    assert len({s.student_no for s in big.students}) == 20_000
    sizes = Counter(s.class_name for s in big.students)
    assert max(sizes.values()) <= 45


def test_students_are_in_student_no_order(big_college):
    numbers = [s.student_no for s in big_college.students]
    assert numbers == sorted(numbers)


def test_empty_college_and_invalid_arguments():
    empty = build_demo_college(0, 0)
    assert empty.students == [] and empty.enterprises == [] and empty.mentors == []
    with pytest.raises(ValueError):
        build_demo_college(-1)
    with pytest.raises(ValueError):
        build_demo_college(enterprise_count=-1)
    with pytest.raises(ValueError):
        build_demo_college(200_000)  # more classes than 2 digits allow
