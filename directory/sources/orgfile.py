"""The org file: the company's departments and people in one CSV or XLSX sheet, for companies
without a directory server (or to load a first org chart from an HR system's export).

One row per person and department they belong to (a person in two departments has two rows);
a row without a username only declares a department. Columns, by their header (case and spaces
ignored; Chinese headers as WeCom / DingTalk contact exports name them are accepted too):

    department_code  the department's short code (its key: rows with the same code are one
                     department); or, instead, department_path ("Company/Finance"), from which
                     departments and their parents are made
    department_name  its name (the code when left empty)
    parent_code      the parent department's code, empty at the top
    username, email, first_name, last_name (or full_name), language (en, zh-CN)
    role             member (default), agent or head
    active           yes (default) or no: a person marked no is a leaver

Every problem is reported per row and column; a file with any error is never applied.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from directory.snapshot import Person, Snapshot, Unit

SOURCE = "orgfile"
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
COLUMNS = [
    "department_code",
    "department_name",
    "parent_code",
    "username",
    "email",
    "first_name",
    "last_name",
    "role",
    "active",
    "language",
]
ALIASES = {
    "department_code": ["部门编码", "部门代码", "部门id", "部门编号"],
    "department_name": ["部门名称"],
    "department_path": ["部门", "所属部门", "部门路径", "department"],
    "parent_code": ["上级部门编码", "上级部门代码", "上级部门id", "父部门id", "parent"],
    "username": ["账号", "帐号", "用户名", "userid", "工号", "login"],
    "email": ["邮箱", "企业邮箱", "电子邮件", "e-mail", "mail"],
    "first_name": ["名", "名字", "given_name"],
    "last_name": ["姓", "姓氏", "family_name", "surname"],
    "full_name": ["姓名", "name"],
    "role": ["角色", "身份"],
    "active": ["状态", "启用", "是否在职", "账号状态", "enabled"],
    "language": ["语言"],
}
ROLES = {
    "member": "member", "成员": "member", "员工": "member", "": "member",
    "agent": "agent", "坐席": "agent", "处理人": "agent", "客服": "agent",
    "head": "head", "负责人": "head", "主管": "head", "部门负责人": "head",
}  # fmt: skip
YES = {"", "yes", "y", "true", "1", "active", "是", "在职", "启用", "已激活", "正常"}
NO = {"no", "n", "false", "0", "inactive", "disabled", "否", "离职", "停用", "禁用", "已禁用"}
PATH_SEPARATOR = re.compile(r"\s*/\s*")
LIST_SEPARATOR = re.compile(r"\s*[;；]\s*")


@dataclass(frozen=True)
class RowError:
    """A problem in the file: its row (1 is the header), the column, what is wrong."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return str(
            _("Row %(row)s, %(column)s: %(message)s")
            % {"row": self.row, "column": self.column or "—", "message": self.message}
        )


@dataclass
class OrgFile:
    """What a file says: the snapshot of its valid rows, and the errors of the others."""

    snapshot: Snapshot | None
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


class FileRefused(Exception):
    """The file cannot be read at all (not CSV or XLSX, bad encoding, too large)."""


def _header(name: object) -> str:
    text = re.sub(r"[\s\-]+", "_", str(name or "").strip().lower().lstrip("\ufeff"))
    for column, aliases in ALIASES.items():
        if text == column or text in aliases:
            return column
    return text


def read_rows(content: bytes, filename: str) -> list[list[str]]:
    """The file's rows as text cells (header first); FileRefused when it cannot be read."""
    if len(content) > MAX_BYTES:
        raise FileRefused(_("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES >> 20})
    if content.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return _xlsx_rows(content)
    return _csv_rows(content)


def _csv_rows(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused(_("The file is not text in UTF-8 or GBK: save it as CSV (UTF-8)."))
    if "\x00" in text:
        raise FileRefused(_("The file is not a CSV file: save it as CSV (UTF-8) or XLSX."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for row in csv.reader(io.StringIO(text, newline=""), dialect):
        rows.append([cell.strip() for cell in row])
        if len(rows) > MAX_ROWS + 1:
            raise FileRefused(_("The file has more than %(limit)s rows.") % {"limit": MAX_ROWS})
    return rows


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        # data_only: a formula's last computed value is read, never the formula.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise FileRefused(_("The file is not a valid XLSX workbook.")) from error
    try:
        rows = []
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append([_cell_text(cell) for cell in row])
            if len(rows) > MAX_ROWS + 1:
                raise FileRefused(_("The file has more than %(limit)s rows.") % {"limit": MAX_ROWS})
        return rows
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_org_file(content: bytes, filename: str) -> OrgFile:
    """Parse an org file into a snapshot, with an error for each bad row; FileRefused when it
    cannot be read at all."""
    rows = read_rows(content, filename)
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        return OrgFile(None, [RowError(1, "", str(_("The file is empty.")))])
    return _Parser([_header(name) for name in rows[0]]).parse(rows[1:])


class _Parser:
    def __init__(self, headers: list[str]):
        self.headers = headers
        self.errors: list[RowError] = []
        self.units: dict[str, dict] = {}  # key → name, code, parent, row
        self.people: dict[str, dict] = {}  # key → fields, units, heads, agents, row
        self.heads: dict[str, str] = {}  # unit key → username

    def error(self, row: int, column: str, message) -> None:
        self.errors.append(RowError(row, column, str(message)))

    def parse(self, rows: list[list[str]]) -> OrgFile:
        if "department_code" not in self.headers and "department_path" not in self.headers:
            self.error(1, "department_code", _("The file needs a department_code column."))
            return OrgFile(None, self.errors, len(rows))
        for number, cells in enumerate(rows, start=2):
            if not any(cells):
                continue
            values = {h: cells[i] if i < len(cells) else "" for i, h in enumerate(self.headers)}
            self._row(number, values)
        for unit in self.units.values():
            if unit["parent"] and unit["parent"] not in self.units:
                self.error(
                    unit["row"],
                    "parent_code",
                    _("No department has the code %(code)s.") % {"code": unit["parent"]},
                )
                unit["parent"] = None
        if not self.units:
            self.error(1, "department_code", _("The file names no department."))
        snapshot = Snapshot(
            source=SOURCE,
            units=tuple(
                Unit(key=k, name=u["name"] or k, code=u["code"], parent_key=u["parent"])
                for k, u in self.units.items()
            ),
            people=tuple(self._person(key, p) for key, p in self.people.items()),
        )
        return OrgFile(snapshot if self.units else None, self.errors, len(rows))

    def _row(self, number: int, values: dict[str, str]) -> None:
        units = self._units(number, values)
        if units is None:
            return
        username = values.get("username", "")
        if not username:
            return
        role = ROLES.get(values.get("role", "").lower())
        if role is None:
            self.error(number, "role", _("Give member, agent or head."))
            return
        active = values.get("active", "").lower()
        if active not in YES | NO:
            self.error(number, "active", _("Give yes or no."))
            return
        fields = {
            "username": username,
            "email": values.get("email", ""),
            "first_name": values.get("first_name", ""),
            "last_name": values.get("last_name", ""),
            "active": active in YES,
            "language": values.get("language", ""),
        }
        if not fields["first_name"] and not fields["last_name"]:
            fields["first_name"] = values.get("full_name", "")
        if fields["email"]:
            try:
                validate_email(fields["email"])
            except ValidationError:
                self.error(number, "email", _("This is not an e-mail address."))
                return
        key = username.casefold()
        known = self.people.setdefault(
            key, {"fields": fields, "units": [], "heads": [], "agents": [], "row": number}
        )
        for name, value in fields.items():
            if known["fields"][name] == "":
                known["fields"][name] = value
            elif known["fields"][name] != value and value != "":
                self.error(
                    number,
                    name,
                    _("Row %(row)s says otherwise for %(username)s.")
                    % {"row": known["row"], "username": username},
                )
                return
        for unit_key in units:
            if role == "head" and self.heads.setdefault(unit_key, username) != username:
                self.error(
                    number,
                    "role",
                    _("%(department)s already has a head: %(username)s.")
                    % {"department": unit_key, "username": self.heads[unit_key]},
                )
                continue
            known["units"].append(unit_key)
            if role == "head":
                known["heads"].append(unit_key)
            elif role == "agent":
                known["agents"].append(unit_key)

    def _units(self, number: int, values: dict[str, str]) -> list[str] | None:
        """The keys of the row's departments, declared on the way; None after an error."""
        code = values.get("department_code", "")
        if code:
            key = code.upper()
            return [key] if self._unit(number, key, values) else None
        paths = [p for p in LIST_SEPARATOR.split(values.get("department_path", "")) if p]
        if not paths:
            self.error(number, "department_code", _("Give the department's code."))
            return None
        keys = []
        for path in paths:
            parent = None
            parts = [p for p in PATH_SEPARATOR.split(path) if p]
            for depth in range(len(parts)):
                key = "/".join(parts[: depth + 1])
                self.units.setdefault(
                    key,
                    {"name": parts[depth], "code": parts[depth], "parent": parent, "row": number},
                )
                parent = key
            keys.append(parent)
        return keys

    def _unit(self, number: int, key: str, values: dict[str, str]) -> bool:
        name = values.get("department_name", "")
        parent = values.get("parent_code", "").upper() or None
        if parent == key:
            self.error(number, "parent_code", _("A department cannot be its own parent."))
            return False
        unit = self.units.setdefault(
            key, {"name": name, "code": key, "parent": parent, "row": number}
        )
        if name and unit["name"] and unit["name"] != name:
            self.error(
                number,
                "department_name",
                _("Row %(row)s names %(code)s otherwise.") % {"row": unit["row"], "code": key},
            )
            return False
        if parent and unit["parent"] and unit["parent"] != parent:
            self.error(
                number,
                "parent_code",
                _("Row %(row)s gives %(code)s another parent.") % {"row": unit["row"], "code": key},
            )
            return False
        unit["name"] = unit["name"] or name
        unit["parent"] = unit["parent"] or parent
        return True

    def _person(self, key: str, person: dict) -> Person:
        fields = person["fields"]
        return Person(
            key=key,
            username=fields["username"],
            email=fields["email"],
            first_name=fields["first_name"],
            last_name=fields["last_name"],
            active=fields["active"],
            unit_keys=tuple(dict.fromkeys(person["units"])),
            head_of=tuple(dict.fromkeys(person["heads"])),
            agent_of=tuple(dict.fromkeys(person["agents"])),
            language=fields["language"],
        )


def template_rows() -> list[list[str]]:
    """The template to download: the header and a small example company."""
    people = [
        ["FIN", "Finance", "CO", "fang.liu", "Fang", "Liu", "head", "zh-CN"],
        ["FIN", "Finance", "CO", "alex.huang", "Alex", "Huang", "agent", "en"],
        ["SALES", "Sales", "CO", "sam.li", "Sam", "Li", "member", ""],
        ["SALES", "Sales", "CO", "fang.liu", "Fang", "Liu", "member", "zh-CN"],
    ]
    return [
        COLUMNS,
        ["CO", "Example Company", "", "", "", "", "", "", "", ""],
        *(
            [code, name, parent, login, f"{login}@example.com", first, last, role, "yes", lang]
            for code, name, parent, login, first, last, role, lang in people
        ),
    ]
