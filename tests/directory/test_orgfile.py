"""The org file: CSV or XLSX, English or Chinese headers, UTF-8 (with or without BOM) or GBK, and
an error per bad row rather than a failure."""

import io

import pytest
from openpyxl import Workbook

from directory.sources import orgfile
from directory.sources.orgfile import FileRefused, read_org_file, template_rows

HEADER = "department_code,department_name,parent_code,username,email,first_name,last_name,role"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\n".join(lines).encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_template_reads_as_a_company_with_heads_agents_and_a_person_in_two_departments():
    content = "\n".join(",".join(row) for row in template_rows()).encode()

    result = read_org_file(content, "org.csv")

    assert result.errors == []
    units = {unit.key: unit for unit in result.snapshot.units}
    assert units["FIN"].name == "Finance" and units["FIN"].parent_key == "CO"
    assert units["CO"].parent_key is None
    people = {person.username: person for person in result.snapshot.people}
    assert people["fang.liu"].unit_keys == ("FIN", "SALES")
    assert people["fang.liu"].head_of == ("FIN",) and people["fang.liu"].language == "zh-CN"
    assert people["alex.huang"].agent_of == ("FIN",)
    assert result.snapshot.source == "orgfile"


def test_an_xlsx_file_reads_like_a_csv_and_numbers_stay_codes():
    content = xlsx_bytes(
        [
            ["Department code", "Department name", "Username", "E-mail", "Role", "Active"],
            [100, "Finance", "fang", "fang@example.com", "head", "yes"],
            [100, "Finance", "alex", "alex@example.com", "agent", "no"],
        ]
    )

    result = read_org_file(content, "org.xlsx")

    assert result.errors == []
    assert [unit.key for unit in result.snapshot.units] == ["100"]
    people = {person.username: person for person in result.snapshot.people}
    assert people["fang"].head_of == ("100",)
    assert people["alex"].active is False


def test_a_formula_in_an_xlsx_cell_is_never_read_as_a_formula():
    content = xlsx_bytes(
        [["department_code", "department_name", "username"], ["FIN", "=1+1", "fang"]]
    )

    result = read_org_file(content, "org.xlsx")

    # No value was ever computed for the formula: the name falls back to the code.
    assert [unit.name for unit in result.snapshot.units] == ["FIN"]


def test_a_utf8_file_with_a_byte_order_mark_and_chinese_headers_is_read():
    content = csv_bytes(
        "部门编码,部门名称,上级部门编码,账号,邮箱,姓名,角色,状态",
        "CW,财务部,,fang,fang@example.com,刘芳,负责人,在职",
        "CW,财务部,,li,li@example.com,李四,成员,离职",
        encoding="utf-8-sig",
    )

    result = read_org_file(content, "通讯录.csv")

    assert result.errors == []
    assert result.snapshot.units[0].name == "财务部"
    people = {person.username: person for person in result.snapshot.people}
    assert people["fang"].first_name == "刘芳" and people["fang"].head_of == ("CW",)
    assert people["li"].active is False


def test_a_gbk_file_as_chinese_excel_saves_it_is_read():
    content = csv_bytes("部门编码,部门名称,账号,姓名", "XS,销售部,wang,王五", encoding="gbk")

    result = read_org_file(content, "org.csv")

    assert result.errors == []
    assert result.snapshot.units[0].name == "销售部"
    assert result.snapshot.people[0].first_name == "王五"


def test_a_wecom_export_with_department_paths_makes_the_departments_and_their_parents():
    content = csv_bytes(
        "姓名,账号,部门,企业邮箱",
        "刘芳,fang,公司/财务部,fang@example.com",
        "王五,wang,公司/销售部;公司/财务部,wang@example.com",
    )

    result = read_org_file(content, "wecom.csv")

    assert result.errors == []
    units = {unit.key: unit for unit in result.snapshot.units}
    assert units["公司/财务部"].parent_key == "公司" and units["公司"].parent_key is None
    people = {person.username: person for person in result.snapshot.people}
    assert people["wang"].unit_keys == ("公司/销售部", "公司/财务部")


def test_each_bad_row_has_an_error_naming_its_row_and_column():
    content = csv_bytes(
        HEADER,
        "FIN,Finance,,fang,fang@example.com,Fang,Liu,head",
        "FIN,Finance,,alex,not-an-address,Alex,Huang,agent",
        "FIN,Finance,,sam,sam@example.com,Sam,Li,boss",
        "FIN,Finance,,li,li@example.com,Li,Si,head",
        ",,,wang,wang@example.com,Wang,Wu,member",
        "IT,IT,NOPE,,,,,",
        "FIN,Money,,,,,,",
    )

    result = read_org_file(content, "org.csv")

    assert [(e.row, e.column) for e in result.errors] == [
        (3, "email"),
        (4, "role"),
        (5, "role"),
        (6, "department_code"),
        (8, "department_name"),
        (7, "parent_code"),
    ]
    assert str(result.errors[0]) == "Row 3, email: This is not an e-mail address."
    assert str(result.errors[2]) == "Row 5, role: FIN already has a head: fang."


def test_a_file_without_a_department_column_is_one_error_not_a_failure():
    result = read_org_file(csv_bytes("name,mail", "x,y"), "org.csv")

    assert result.snapshot is None
    assert [(e.row, e.column) for e in result.errors] == [(1, "department_code")]


def test_an_empty_file_is_an_error():
    result = read_org_file(b"", "org.csv")

    assert [str(e) for e in result.errors] == ["Row 1, —: The file is empty."]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x80\x81\xff\xfe\xff", "org.csv", "The file is not text in UTF-8 or GBK"),
        ("a,b\n".encode("utf-16"), "org.csv", "not text in UTF-8 or GBK|not a CSV file"),
        (b"PK\x03\x04 not really a zip", "org.xlsx", "The file is not a valid XLSX workbook."),
        (b"plain text", "org.xlsx", "The file is not a valid XLSX workbook."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(content, name, message):
    with pytest.raises(FileRefused, match=message):
        read_org_file(content, name)


def test_a_huge_file_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(orgfile, "MAX_BYTES", 1000)

    with pytest.raises(FileRefused, match="larger than"):
        read_org_file(b"x" * 1001, "org.csv")


def test_a_file_with_too_many_rows_is_refused(monkeypatch):
    monkeypatch.setattr(orgfile, "MAX_ROWS", 3)

    with pytest.raises(FileRefused, match="more than 3 rows"):
        read_org_file(csv_bytes(HEADER, *["FIN,Finance,,,,,,"] * 5), "org.csv")
