"""A real OpenLDAP server for the tests: Debian's slapd in a temporary folder, with its own
cn=config, TLS from a certificate authority made here, on 127.0.0.1 and free ports, seeded with
the company below. One per test session (`slapd`); a test that changes the directory puts it
back (`slapd.changed(...)`).

    dc=example,dc=com
      ou=Company            Wei Zhang (wzhang, the CEO), Amy Xu (axu, his assistant)
        ou=Finance          Fang Liu (fliu, head), Alex Huang (ahuang, agent), Mei Chen (mchen)
        ou=Sales            Lei Wang (lwang, head), Sam Li (sli), Dan Ma (dma, disabled)
        ou=HR               Hannah Yang (hyang, head, in the HR group), Hao Lin (hlin)
        ou=IT               Ivan Zhou (izhou, head), Ada Wu (awu, in the admins group)
          ou=Helpdesk       Hui Sun (hsun, in Helpdesk's own `cn=agents` group)
      ou=Groups             cn=heads, cn=hr, cn=admins, cn=agents (the company's agents)
      ou=Services           cn=accord (the account Accord reads the directory with)

Everyone reports (`manager`) to the head of their OU; heads to the CEO; Helpdesk's Hui Sun to
IT's head. Each person's password is `<uid>-password`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.certificates import make_certificates
from tests.support.smtp import free_port

SLAPD = Path("/usr/sbin/slapd")
SLAPADD = Path("/usr/sbin/slapadd")
SCHEMAS = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")
SUFFIX = "dc=example,dc=com"
COMPANY = f"ou=Company,{SUFFIX}"
GROUPS = f"ou=Groups,{SUFFIX}"
ADMIN_DN, ADMIN_PASSWORD = f"cn=admin,{SUFFIX}", "admin-secret"
NOBODY = f"cn=nobody,{SUFFIX}"
POLICY_DN = f"cn=default,ou=Services,{SUFFIX}"
READER_DN, READER_PASSWORD = f"cn=accord,ou=Services,{SUFFIX}", "reader-secret"

# uid: (first name, last name, OU path below the company, manager's uid, extra attributes)
PEOPLE = {
    "wzhang": ("Wei", "Zhang", "", None, {}),
    "axu": ("Amy", "Xu", "", "wzhang", {}),
    "fliu": ("Fang", "Liu", "Finance", "wzhang", {}),
    "ahuang": ("Alex", "Huang", "Finance", "fliu", {}),
    "mchen": ("Mei", "Chen", "Finance", "fliu", {"preferredLanguage": "zh-CN"}),
    "lwang": ("Lei", "Wang", "Sales", "wzhang", {}),
    "sli": ("Sam", "Li", "Sales", "lwang", {"preferredLanguage": "en-US"}),
    "dma": ("Dan", "Ma", "Sales", "lwang", {"pwdAccountLockedTime": "000001010000Z"}),
    "hyang": ("Hannah", "Yang", "HR", "wzhang", {}),
    "hlin": ("Hao", "Lin", "HR", "hyang", {}),
    "izhou": ("Ivan", "Zhou", "IT", "wzhang", {}),
    "awu": ("Ada", "Wu", "IT", "izhou", {}),
    "hsun": ("Hui", "Sun", "Helpdesk,ou=IT", "izhou", {}),
}
UNITS = {  # OU path below the company: description
    "Finance": "Finance department",
    "Sales": "Sales department",
    "HR": "Human Resources",
    "IT": "Information Technology",
    "Helpdesk,ou=IT": "IT Helpdesk",
}
GROUP_MEMBERS = {
    f"cn=heads,{GROUPS}": ["wzhang", "fliu", "lwang", "hyang", "izhou"],
    f"cn=hr,{GROUPS}": ["hyang"],
    f"cn=admins,{GROUPS}": ["awu"],
    f"cn=agents,{GROUPS}": ["ahuang"],
    f"cn=agents,ou=Helpdesk,ou=IT,{COMPANY}": ["hsun"],
}


def person_dn(uid: str) -> str:
    ou = PEOPLE[uid][2]
    return f"uid={uid},{f'ou={ou},' if ou else ''}{COMPANY}"


def password_of(uid: str) -> str:
    return f"{uid}-password"


@dataclass
class Slapd:
    """A running slapd: `ldap_uri` (StartTLS available), `ldaps_uri`, `ca_file` (the CA that
    signed its certificate)."""

    ldap_uri: str
    ldaps_uri: str
    ca_file: Path

    def environment(self, **overrides: str) -> dict[str, str]:
        """Accord's LDAP_* environment for this server (StartTLS with the test CA)."""
        return {
            "LDAP_SERVER_URI": self.ldap_uri,
            "LDAP_START_TLS": "true",
            "LDAP_CA_CERT_FILE": str(self.ca_file),
            "LDAP_BIND_DN": READER_DN,
            "LDAP_BIND_PASSWORD": READER_PASSWORD,
            "LDAP_USER_SEARCH_BASE": COMPANY,
            "LDAP_GROUP_SEARCH_BASE": SUFFIX,
            "LDAP_HR_GROUP": f"cn=hr,{GROUPS}",
            "LDAP_ADMIN_GROUP": f"cn=admins,{GROUPS}",
            "LDAP_LANGUAGE_ATTRIBUTE": "preferredLanguage",
            "LDAP_DIRECTORY_BASE": COMPANY,
            "LDAP_HEADS_GROUP": f"cn=heads,{GROUPS}",
            "LDAP_AGENTS_GROUP": f"cn=agents,{GROUPS}",
            "LDAP_UNIT_AGENTS_GROUP_CN": "agents",
            "LDAP_PAGE_SIZE": "4",  # several pages even for this small company
            **overrides,
        }

    def connect(self):
        """A connection bound as the directory's administrator (over StartTLS)."""
        import ldap

        connection = ldap.initialize(self.ldap_uri)
        connection.set_option(ldap.OPT_X_TLS_CACERTFILE, str(self.ca_file))
        connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        connection.start_tls_s()
        connection.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        return connection

    @contextmanager
    def changed(self, change, undo) -> Iterator[None]:
        """Apply `change(connection)` for the duration of a test, then `undo(connection)`."""
        connection = self.connect()
        change(connection)
        try:
            yield
        finally:
            undo(connection)
            connection.unbind_s()

    def without_member(self, group_dn: str, uid: str):
        """For the duration of a test, `uid` is no longer a member of the group."""
        import ldap

        members = [person_dn(member).encode() for member in GROUP_MEMBERS[group_dn]]
        # groupOfNames needs one member at least.
        rest = [dn for dn in members if dn != person_dn(uid).encode()] or [NOBODY.encode()]
        return self.changed(
            lambda directory: directory.modify_s(group_dn, [(ldap.MOD_REPLACE, "member", rest)]),
            lambda directory: directory.modify_s(group_dn, [(ldap.MOD_REPLACE, "member", members)]),
        )


def use_ldap(settings, environment: dict[str, str]) -> None:
    """Configure Accord as config/settings.py does when LDAP_SERVER_URI is set."""
    from directory.ldap_settings import BACKEND, ldap_settings

    for name, value in ldap_settings(environment).items():
        setattr(settings, name, value)
    settings.LDAP_SERVER_URI = environment["LDAP_SERVER_URI"]
    settings.AUTHENTICATION_BACKENDS = [
        settings.AUTHENTICATION_BACKENDS[0],
        BACKEND,
        *settings.AUTHENTICATION_BACKENDS[1:],
    ]


def config_ldif(folder: Path, ca_file: Path, cert_file: Path, key_file: Path) -> str:
    schemas = "".join(
        f"include: file://{SCHEMAS / name}.ldif\n\n"
        for name in ("core", "cosine", "nis", "inetorgperson")
    )
    return f"""dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {folder / "slapd.pid"}
olcTLSCACertificateFile: {ca_file}
olcTLSCertificateFile: {cert_file}
olcTLSCertificateKeyFile: {key_file}

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: {MODULES}
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

{schemas}dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend
olcSizeLimit: unlimited

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcAccess: {{0}}to * by * none

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcSuffix: {SUFFIX}
olcRootDN: {ADMIN_DN}
olcRootPW: {ADMIN_PASSWORD}
olcDbDirectory: {folder / "data"}
olcDbMaxSize: 1073741824
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: member eq
olcAccess: {{0}}to attrs=userPassword by self read by anonymous auth by * none
olcAccess: {{1}}to * by users read by * none
olcSizeLimit: 10
olcLimits: {{0}}dn.exact="{READER_DN}" size.soft=10 size.hard=10 size.pr=200 size.prtotal=unlimited

dn: olcOverlay={{0}}ppolicy,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {{0}}ppolicy
olcPPolicyDefault: {POLICY_DN}
"""


def entry(dn: str, attributes: dict[str, str | list[str]]) -> str:
    lines = [f"dn: {dn}"]
    for name, values in attributes.items():
        for value in [values] if isinstance(values, str) else values:
            lines.append(f"{name}: {value}")
    return "\n".join(lines) + "\n\n"


def company_ldif() -> str:
    ldif = entry(SUFFIX, {"objectClass": ["dcObject", "organization"], "dc": "example",
                          "o": "Example Ltd"})  # fmt: skip
    for ou in ("Company", "Groups", "Services"):
        ldif += entry(f"ou={ou},{SUFFIX}", {"objectClass": "organizationalUnit", "ou": ou})
    ldif += entry(
        READER_DN,
        {"objectClass": ["organizationalRole", "simpleSecurityObject"], "cn": "accord",
         "userPassword": READER_PASSWORD},
    )  # fmt: skip
    ldif += entry(
        POLICY_DN,
        {"objectClass": ["person", "pwdPolicy"], "cn": "default", "sn": "default",
         "pwdAttribute": "userPassword", "pwdLockout": "TRUE"},
    )  # fmt: skip
    for path, description in UNITS.items():
        ldif += entry(
            f"ou={path},{COMPANY}",
            {"objectClass": "organizationalUnit", "ou": path.split(",")[0],
             "description": description},
        )  # fmt: skip
    for uid, (first, last, _, manager, extra) in PEOPLE.items():
        attributes = {
            "objectClass": "inetOrgPerson",
            "uid": uid,
            "cn": f"{first} {last}",
            "givenName": first,
            "sn": last,
            "mail": f"{uid}@example.com",
            "userPassword": password_of(uid),
            **extra,
        }
        if manager:
            attributes["manager"] = person_dn(manager)
        ldif += entry(person_dn(uid), attributes)
    for dn, uids in GROUP_MEMBERS.items():
        ldif += entry(
            dn,
            {"objectClass": "groupOfNames", "cn": dn.split(",")[0][3:],
             "member": [person_dn(uid) for uid in uids]},
        )  # fmt: skip
    return ldif


def slapd_missing(reason: str) -> None:
    message = f"{reason}: the LDAP tests need Debian's slapd (apt-get install slapd ldap-utils)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def running_slapd(folder: Path) -> Iterator[Slapd]:
    """Configure, seed and start slapd in `folder`; stop it when done."""
    try:
        import ldap
    except ImportError:
        slapd_missing("python-ldap is not installed (pip install '.[ldap]')")
    if not SLAPD.exists() or not SLAPADD.exists():
        slapd_missing(f"{SLAPD} is not installed")
    config, data = folder / "config", folder / "data"
    config.mkdir()
    data.mkdir()
    ca_file, cert_file, key_file = make_certificates(folder)
    (folder / "config.ldif").write_text(config_ldif(folder, ca_file, cert_file, key_file))
    (folder / "company.ldif").write_text(company_ldif())
    for database, ldif in (("0", "config.ldif"), ("1", "company.ldif")):
        added = subprocess.run(
            [SLAPADD, "-F", config, "-n", database, "-l", folder / ldif],
            capture_output=True,
            text=True,
        )
        if added.returncode:
            raise RuntimeError(f"slapadd of {ldif} failed: {added.stderr}")
    ldap_port, ldaps_port = free_port(), free_port()
    server = Slapd(f"ldap://127.0.0.1:{ldap_port}", f"ldaps://127.0.0.1:{ldaps_port}", ca_file)
    log = (folder / "slapd.log").open("wb")
    process = subprocess.Popen(
        [SLAPD, "-d", "0", "-F", config, "-h", f"{server.ldap_uri}/ {server.ldaps_uri}/"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                server.connect().unbind_s()
                break
            except ldap.LDAPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "slapd did not start: " + (folder / "slapd.log").read_text()
                    ) from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def slapd(tmp_path_factory) -> Iterator[Slapd]:
    """A real slapd seeded with the company above, for the whole test session."""
    folder = tmp_path_factory.mktemp("slapd")
    with running_slapd(folder) as server:
        yield server
    shutil.rmtree(folder, ignore_errors=True)
