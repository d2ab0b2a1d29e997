"""Deterministic demo data for `portal seed-demo`: a believable fictional vocational college.

Pure Python, no database and no I/O. The same arguments always give the same data, and the
stable unique values (学号, credit codes, mentor keys) let the seeder insert idempotently.

Each part draws from its own random stream, so the enterprises and their mentors do not change
when only `student_count` changes.
"""

from __future__ import annotations

import datetime
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from partners.organizations.enterprises import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_character,
)

# --- College structure ---------------------------------------------------------------------

# 二级学院 -> (major, short name used in class names, relative enrolment weight).
# Majors are from the 2021 高职专科 catalogue; the department's position gives its 2-digit code.
DEPARTMENTS: tuple[tuple[str, tuple[tuple[str, str, int], ...]], ...] = (
    (
        "智能制造学院",
        (
            ("机械制造及自动化", "机制", 3),
            ("工业机器人技术", "工业机器人", 3),
            ("数控技术", "数控", 2),
            ("智能制造装备技术", "智能装备", 2),
        ),
    ),
    (
        "汽车工程学院",
        (
            ("新能源汽车技术", "新能源汽车", 3),
            ("汽车检测与维修技术", "汽修", 2),
            ("智能网联汽车技术", "智能网联", 2),
        ),
    ),
    (
        "电子信息学院",
        (
            ("计算机网络技术", "计网", 2),
            ("软件技术", "软件", 3),
            ("大数据技术", "大数据", 2),
            ("物联网应用技术", "物联网", 2),
        ),
    ),
    (
        "经济管理学院",
        (
            ("大数据与会计", "会计", 3),
            ("电子商务", "电商", 2),
            ("现代物流管理", "物流", 2),
        ),
    ),
    (
        "健康护理学院",
        (
            ("护理", "护理", 4),
            ("助产", "助产", 1),
            ("康复治疗技术", "康复", 2),
            ("智慧健康养老服务与管理", "健康养老", 1),
        ),
    ),
)

# Share of female students per department (vocational programmes are strongly gendered).
FEMALE_SHARE: dict[str, float] = {
    "智能制造学院": 0.12,
    "汽车工程学院": 0.08,
    "电子信息学院": 0.30,
    "经济管理学院": 0.68,
    "健康护理学院": 0.88,
}

COHORT_WEIGHTS: dict[int, int] = {2022: 22, 2023: 24, 2024: 26, 2025: 28}
MAX_CLASS_SIZE = 45  # a class is split once it would exceed this

# GB/T 4762 political status codes and their shares among students.
STUDENT_POLITICAL_STATUSES: tuple[tuple[str, int], ...] = (
    ("01", 2),  # 中共党员
    ("02", 3),  # 中共预备党员
    ("03", 70),  # 共青团员
    ("13", 25),  # 群众
)

COLLEGE_TITLES: tuple[tuple[str, int], ...] = (
    ("教授", 10),
    ("副教授", 25),
    ("讲师", 40),
    ("高级工程师", 15),
    ("助教", 10),
)
STUDENTS_PER_COLLEGE_MENTOR = 12
MENTOR_PARTY_SHARE = 0.7

# --- Names ---------------------------------------------------------------------------------

# Common surnames with their approximate share (per mille) of the population.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22),
    ("赵", 22), ("吴", 20), ("周", 19), ("徐", 15), ("孙", 15), ("马", 12), ("朱", 12),
    ("胡", 11), ("郭", 11), ("何", 11), ("林", 10), ("高", 10), ("罗", 9), ("郑", 9),
    ("梁", 8), ("谢", 7), ("宋", 7), ("唐", 6), ("许", 6), ("韩", 6), ("冯", 6), ("邓", 6),
    ("曹", 5), ("彭", 5), ("曾", 5), ("肖", 5), ("田", 5), ("董", 5), ("袁", 4), ("潘", 4),
    ("于", 4), ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 3),
    ("魏", 3), ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3), ("钟", 3),
)  # fmt: skip

# Given names, common among people born from the 1970s to the 2000s.
MALE_GIVEN_NAMES = (
    "子轩", "浩宇", "宇轩", "浩然", "博文", "俊杰", "志强", "嘉豪", "文博", "天宇", "明轩", "家豪",
    "俊豪", "子豪", "宇航", "雨泽", "晨阳", "鹏飞", "志鹏", "一鸣", "思远", "建华", "伟杰", "文杰",
    "梓豪", "昊天", "泽宇", "晓东", "振宇", "宏伟", "子健", "睿哲", "俊熙", "皓轩", "立新", "建国",
    "国栋", "海涛", "志伟", "永康", "嘉乐", "宇恒", "晨曦", "奕辰", "锦程", "子墨", "修杰", "明哲",
    "佳豪", "振华", "浩楠", "家乐", "逸飞", "凯瑞",
)  # fmt: skip
FEMALE_GIVEN_NAMES = (
    "欣怡", "梓涵", "雨萱", "诗涵", "子涵", "佳怡", "雨欣", "思雨", "梦瑶", "可馨", "婉婷", "雅琪",
    "佳琪", "雨涵", "紫涵", "静怡", "晓雯", "文静", "佳慧", "心怡", "思彤", "语嫣", "诗琪", "欣妍",
    "梦琪", "雅婷", "嘉怡", "婧怡", "若曦", "晓燕", "丽娜", "海燕", "秀英", "玉兰", "慧敏", "思琪",
    "雨桐", "一诺", "梓萱", "艺涵", "欣然", "晨雪", "佳宁", "语桐", "安琪", "紫萱", "梦洁", "雪莹",
    "舒婷", "晓琳", "春燕", "美玲", "佳欣", "雅雯",
)  # fmt: skip
MALE_SINGLE_NAMES = tuple("伟强磊军勇杰涛斌超明辉鹏浩宇博俊凯峰鑫睿航昊翔宁旭毅锐哲")
FEMALE_SINGLE_NAMES = tuple("芳娜敏静丽艳婷雪琳洁颖慧倩萱欣怡悦璐瑶晴彤菲琪蕾娟霞妍馨楠")
SINGLE_CHAR_GIVEN_NAME_SHARE = 0.2  # 2-character full names such as 王磊

# --- Enterprises ---------------------------------------------------------------------------

# Brand names (字号) are a first character combined with a second one.
BRAND_FIRST_CHARS = "华中恒鼎瑞博汇星远新嘉润金开天卓盛航弘凯"
BRAND_SECOND_CHARS = "辰创泰达宇驰源信科联腾智诚力通维晟锐"

# industry -> business lines used between the brand and the company form.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "智能制造": ("智能装备", "精密机械", "自动化科技", "数控设备"),
    "新能源汽车": ("新能源汽车", "汽车零部件", "动力电池科技", "电驱动系统"),
    "电子信息": ("电子科技", "微电子", "信息技术", "通信技术"),
    "现代物流": ("供应链管理", "物流", "智慧仓储"),
    "医药健康": ("医疗器械", "生物医药", "康养服务"),
    "数字创意": ("数字科技", "网络科技", "文化传媒"),
}
# Company form (组织形式) by size: (minimum employees, form), largest first.
COMPANY_FORMS: tuple[tuple[int, str], ...] = (
    (1500, "集团有限公司"),
    (400, "股份有限公司"),
    (0, "有限公司"),
)

# Positions held by enterprise mentors: common ones plus industry-specific ones.
COMMON_POSITIONS = ("高级工程师", "技术主管", "工程师", "项目经理", "培训主管")
INDUSTRY_POSITIONS: dict[str, tuple[str, ...]] = {
    "智能制造": ("车间主任", "设备主管", "工艺工程师"),
    "新能源汽车": ("车间主任", "质量主管", "售后技术总监"),
    "电子信息": ("研发经理", "测试主管", "运维主管"),
    "现代物流": ("仓储经理", "运营主管", "调度主管"),
    "医药健康": ("护理部主任", "质量主管", "康复治疗师"),
    "数字创意": ("设计总监", "运营主管", "产品经理"),
}

# City -> (6-digit administrative division code, province prefix, real districts).
CITIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "苏州": ("320500", "江苏省", ("工业园区", "吴中区", "相城区", "吴江区")),
    "无锡": ("320200", "江苏省", ("新吴区", "滨湖区", "锡山区")),
    "常州": ("320400", "江苏省", ("武进区", "新北区", "天宁区")),
    "杭州": ("330100", "浙江省", ("滨江区", "余杭区", "萧山区", "西湖区")),
    "宁波": ("330200", "浙江省", ("鄞州区", "北仑区", "镇海区")),
    "深圳": ("440300", "广东省", ("南山区", "宝安区", "龙岗区", "龙华区")),
    "东莞": ("441900", "广东省", ("松山湖", "长安镇", "虎门镇")),
    "青岛": ("370200", "山东省", ("黄岛区", "崂山区", "城阳区", "李沧区")),
    "成都": ("510100", "四川省", ("武侯区", "高新区", "龙泉驿区", "双流区")),
    "合肥": ("340100", "安徽省", ("蜀山区", "包河区", "经开区")),
}
ROADS = (
    "科技路", "创新大道", "工业园路", "长江路", "湖滨路", "振兴路", "星湖街", "学府路",
    "产业大道", "经纬路", "金山路", "兴业路", "云海路", "锦绣大道", "高新四路",
)  # fmt: skip

EMPLOYEE_RANGE = (80, 3000)
PARTY_MEMBER_SHARE_RANGE = (0.03, 0.12)
# Some small firms have fewer than 3 party members, too few to form a branch.
NO_PARTY_ORG_SHARE = 0.25
NO_PARTY_ORG_MAX_EMPLOYEES = 300
ENTERPRISE_MENTORS_RANGE = (4, 6)
MAX_MENTEES_RANGE = (8, 15)

# --- Unified social credit code (GB 32100-2015) ----------------------------------------------

# Old 9-character organization codes (GB 11714): 8 digits then a check character.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Chinese mobile number prefixes in common use.
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "180",
    "181", "182", "183", "185", "186", "187", "188", "189", "191", "195", "198", "199",
)  # fmt: skip


# --- Public data classes ---------------------------------------------------------------------


@dataclass(frozen=True)
class DemoStudent:
    """A student (学生) of the demo college."""

    student_no: str
    name: str
    gender: str
    birth_date: datetime.date
    department: str
    major: str
    class_name: str
    cohort_year: int
    political_status: str
    phone: str


@dataclass(frozen=True)
class DemoEnterprise:
    """A fictional partner enterprise (合作企业) with its party organisation."""

    name: str
    credit_code: str
    industry: str
    address: str
    contact_person: str
    contact_phone: str
    party_org_name: str
    party_org_kind: str
    party_member_count: int
    employee_count: int
    partner_since: datetime.date


@dataclass(frozen=True)
class DemoMentor:
    """A college (校内) or enterprise (企业) mentor; `key` is stable and unique."""

    key: str
    side: str
    name: str
    department: str
    title: str
    enterprise_index: int | None
    position: str
    party_member: bool
    max_mentees: int
    phone: str
    email: str = ""  # enterprise mentors: where signed weekly-log links go without an account


@dataclass(frozen=True)
class DemoCollege:
    """Everything `portal seed-demo` inserts."""

    departments: dict[str, list[str]]
    students: list[DemoStudent]
    enterprises: list[DemoEnterprise]
    mentors: list[DemoMentor]


# --- Small helpers ---------------------------------------------------------------------------


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    """Pick one value from (value, weight) pairs."""
    return rng.choices([value for value, _ in options], weights=[w for _, w in options])[0]


def _random_date(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    """A uniformly random day between `first` and `last` inclusive."""
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


class _NameMaker:
    """Chinese personal names with realistically weighted surnames."""

    def __init__(self) -> None:
        self._surnames = [s for s, _ in SURNAMES]
        self._cum_weights = list(itertools.accumulate(w for _, w in SURNAMES))

    def make(self, rng: random.Random, gender: str) -> str:
        """A 2- or 3-character name whose given name suits `gender` ('M' or 'F')."""
        surname = rng.choices(self._surnames, cum_weights=self._cum_weights)[0]
        if rng.random() < SINGLE_CHAR_GIVEN_NAME_SHARE:
            given = MALE_SINGLE_NAMES if gender == "M" else FEMALE_SINGLE_NAMES
        else:
            given = MALE_GIVEN_NAMES if gender == "M" else FEMALE_GIVEN_NAMES
        return surname + rng.choice(given)


class _PhoneMaker:
    """Mobile numbers, unique across one generated college."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def make(self, rng: random.Random) -> str:
        """A fresh 11-digit mobile number matching ^1[3-9]\\d{9}$."""
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            if phone not in self._used:
                self._used.add(phone)
                return phone


# --- Credit codes ----------------------------------------------------------------------------


def _org_code(rng: random.Random, new_style: bool) -> str:
    """Positions 9–17: an 'MA…' code (registered since 2015) or an old GB 11714 code."""
    if new_style:
        return "MA" + "".join(rng.choices(CREDIT_CODE_ALPHABET, k=7))
    digits = [rng.randrange(10) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(digits, ORG_CODE_WEIGHTS, strict=True)) % 11
    check_char = {10: "X", 11: "0"}.get(check, str(check))
    return "".join(map(str, digits)) + check_char


def _credit_code(division_code: str, org_code: str) -> str:
    """A full 18-character code for an enterprise (9 = 工商, 1 = 企业)."""
    first17 = "91" + division_code + org_code
    return first17 + credit_code_check_character(first17)


# --- Enterprises -----------------------------------------------------------------------------


def _company_form(rng: random.Random, employees: int) -> str:
    """有限公司 for most firms; larger ones may be 股份 companies or groups."""
    for minimum, form in COMPANY_FORMS:
        if employees >= minimum and (minimum == 0 or rng.random() < 0.5):
            return form
    raise AssertionError("COMPANY_FORMS must end with a form for 0 employees")


def _location(rng: random.Random) -> tuple[str, str]:
    """(administrative division code, street address) in one of CITIES."""
    city = rng.choice(list(CITIES))
    division, province, districts = CITIES[city]
    street = f"{rng.choice(ROADS)}{rng.randint(1, 999)}号"
    return division, f"{province}{city}市{rng.choice(districts)}{street}"


def _party_org(rng: random.Random, name: str, employees: int) -> tuple[str, str, int]:
    """(party_org_name, party_org_kind, party_member_count) sized by the Party rules."""
    if employees <= NO_PARTY_ORG_MAX_EMPLOYEES and rng.random() < NO_PARTY_ORG_SHARE:
        return "", "none", rng.randint(0, 2)
    members = max(3, round(employees * rng.uniform(*PARTY_MEMBER_SHARE_RANGE)))
    if members >= 100:
        return f"{name}党委", "committee", members
    if members >= 50:
        return f"{name}党总支", "general_branch", members
    return f"{name}党支部", "branch", members


def _build_enterprises(
    rng: random.Random, count: int, names: _NameMaker, phones: _PhoneMaker
) -> list[DemoEnterprise]:
    """`count` fictional enterprises with unique names and valid, unique credit codes."""
    brands = [a + b for a in BRAND_FIRST_CHARS for b in BRAND_SECOND_CHARS]
    if count > len(brands):
        raise ValueError(f"enterprise_count must be at most {len(brands)}")
    industries = list(INDUSTRIES)
    rng.shuffle(industries)
    used_codes: set[str] = set()
    enterprises = []
    for index, brand in enumerate(rng.sample(brands, count)):
        industry = industries[index % len(industries)]  # cycle so industries vary
        low, high = EMPLOYEE_RANGE  # log-uniform: small firms are more common
        employees = round(math.exp(rng.uniform(math.log(low), math.log(high))))
        name = brand + rng.choice(INDUSTRIES[industry]) + _company_form(rng, employees)
        division, address = _location(rng)
        new_style = rng.random() < 0.5  # 'MA…' codes were issued from 2015 on
        code = _credit_code(division, _org_code(rng, new_style))
        while code in used_codes:
            code = _credit_code(division, _org_code(rng, new_style))
        used_codes.add(code)
        org_name, org_kind, members = _party_org(rng, name, employees)
        first_year = 2016 if new_style else 2012
        enterprises.append(
            DemoEnterprise(
                name=name,
                credit_code=code,
                industry=industry,
                address=address,
                contact_person=names.make(rng, rng.choice("MF")),
                contact_phone=phones.make(rng),
                party_org_name=org_name,
                party_org_kind=org_kind,
                party_member_count=members,
                employee_count=employees,
                partner_since=_random_date(
                    rng, datetime.date(first_year, 1, 1), datetime.date(2025, 9, 1)
                ),
            )
        )
    return enterprises


# --- Mentors ---------------------------------------------------------------------------------


def _mentor_basics(rng: random.Random, names: _NameMaker) -> tuple[str, bool, int]:
    """(name, party_member, max_mentees) shared by both kinds of mentor."""
    name = names.make(rng, "M" if rng.random() < 0.6 else "F")
    return name, rng.random() < MENTOR_PARTY_SHARE, rng.randint(*MAX_MENTEES_RANGE)


def _build_enterprise_mentors(
    rng: random.Random,
    enterprises: list[DemoEnterprise],
    names: _NameMaker,
    phones: _PhoneMaker,
) -> list[DemoMentor]:
    """2–4 mentors per enterprise, keyed 'ent-<enterprise index>-<nn>'."""
    mentors = []
    for index, enterprise in enumerate(enterprises):
        positions = COMMON_POSITIONS + INDUSTRY_POSITIONS[enterprise.industry]
        for number in range(1, rng.randint(*ENTERPRISE_MENTORS_RANGE) + 1):
            name, party_member, max_mentees = _mentor_basics(rng, names)
            mentors.append(
                DemoMentor(
                    key=f"ent-{index}-{number:02d}",
                    side="enterprise",
                    name=name,
                    department="",
                    title="",
                    enterprise_index=index,
                    position=rng.choice(positions),
                    party_member=party_member,
                    max_mentees=max_mentees,
                    phone=phones.make(rng),
                    email=f"mentor-{index + 1}-{number:02d}@enterprise{index + 1}.example.com",
                )
            )
    return mentors


def _build_college_mentors(
    rng: random.Random, student_count: int, names: _NameMaker, phones: _PhoneMaker
) -> list[DemoMentor]:
    """About one teacher per 12 students, dealt round-robin over the departments."""
    departments = [department for department, _ in DEPARTMENTS]
    mentors = []
    for number in range(1, math.ceil(student_count / STUDENTS_PER_COLLEGE_MENTOR) + 1):
        name, party_member, max_mentees = _mentor_basics(rng, names)
        mentors.append(
            DemoMentor(
                key=f"college-{number:02d}",
                side="college",
                name=name,
                department=departments[(number - 1) % len(departments)],
                title=_weighted(rng, COLLEGE_TITLES),
                enterprise_index=None,
                position="",
                party_member=party_member,
                max_mentees=max_mentees,
                phone=phones.make(rng),
            )
        )
    return mentors


# --- Students --------------------------------------------------------------------------------


def _enrolment(rng: random.Random, student_count: int) -> dict[tuple[int, str], int]:
    """How many students each (cohort, major) has; weighted by cohort and major size."""
    cohorts = list(COHORT_WEIGHTS)
    majors = [major for _, majors in DEPARTMENTS for major, _, _ in majors]
    major_weights = [weight for _, majors in DEPARTMENTS for _, _, weight in majors]
    drawn_cohorts = rng.choices(cohorts, weights=list(COHORT_WEIGHTS.values()), k=student_count)
    drawn_majors = rng.choices(majors, weights=major_weights, k=student_count)
    counts: dict[tuple[int, str], int] = {}
    for key in zip(drawn_cohorts, drawn_majors, strict=True):
        counts[key] = counts.get(key, 0) + 1
    return counts


def _class_sizes(total: int) -> list[int]:
    """Split `total` students into as few, evenly sized classes as MAX_CLASS_SIZE allows."""
    if total == 0:
        return []
    classes = math.ceil(total / MAX_CLASS_SIZE)
    base, extra = divmod(total, classes)
    return [base + 1 if i < extra else base for i in range(classes)]


def _build_students(
    rng: random.Random, student_count: int, names: _NameMaker, phones: _PhoneMaker
) -> list[DemoStudent]:
    """Students in 学号 order: cohort, department, class, seat number.

    Class numbers run on across the majors of a department within a cohort, so
    '<cohort><dept code><class><seq>' is unique and matches the class name.
    """
    counts = _enrolment(rng, student_count)
    students = []
    for cohort in sorted(COHORT_WEIGHTS):
        for dept_no, (department, majors) in enumerate(DEPARTMENTS, start=1):
            class_no = 0
            for major, short_name, _ in majors:
                for size in _class_sizes(counts.get((cohort, major), 0)):
                    class_no += 1
                    if class_no > 99:
                        raise ValueError("student_count too large for 2-digit class numbers")
                    class_name = f"{short_name}{cohort % 100:02d}{class_no:02d}班"
                    prefix = f"{cohort}{dept_no:02d}{class_no:02d}"
                    for seq in range(1, size + 1):
                        gender = "F" if rng.random() < FEMALE_SHARE[department] else "M"
                        birth_year = cohort - rng.choice((18, 19))
                        students.append(
                            DemoStudent(
                                student_no=f"{prefix}{seq:02d}",
                                name=names.make(rng, gender),
                                gender=gender,
                                birth_date=_random_date(
                                    rng,
                                    datetime.date(birth_year, 1, 1),
                                    datetime.date(birth_year, 12, 31),
                                ),
                                department=department,
                                major=major,
                                class_name=class_name,
                                cohort_year=cohort,
                                political_status=_weighted(rng, STUDENT_POLITICAL_STATUSES),
                                phone=phones.make(rng),
                            )
                        )
    return students


# --- Entry point -----------------------------------------------------------------------------


def build_demo_college(
    student_count: int = 200, enterprise_count: int = 8, seed: int = 2026
) -> DemoCollege:
    """Build the whole demo college; the same arguments always give the same result."""
    if student_count < 0 or enterprise_count < 0:
        raise ValueError("student_count and enterprise_count must not be negative")
    names = _NameMaker()
    phones = _PhoneMaker()  # shared, so phone numbers are unique across the college

    # Separate streams (string seeds hash deterministically) keep each part independent.
    enterprises = _build_enterprises(
        random.Random(f"{seed}:enterprises"), enterprise_count, names, phones
    )
    enterprise_mentors = _build_enterprise_mentors(
        random.Random(f"{seed}:enterprise-mentors"), enterprises, names, phones
    )
    college_mentors = _build_college_mentors(
        random.Random(f"{seed}:college-mentors"), student_count, names, phones
    )
    students = _build_students(random.Random(f"{seed}:students"), student_count, names, phones)
    return DemoCollege(
        departments={
            department: [major for major, _, _ in majors] for department, majors in DEPARTMENTS
        },
        students=students,
        enterprises=enterprises,
        mentors=college_mentors + enterprise_mentors,
    )
