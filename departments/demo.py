"""The demo organisation: a believable company with the logins the README lists."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from departments.models import Department, Membership

DEMO_PASSWORD = "demo"
EMAIL_DOMAIN = "accord.example"
HR_GROUP = "HR"

# code, name, parent code, shared mailbox
DEPARTMENTS = [
    ("EXEC", "Executive Office", None, ""),
    ("SALES", "Sales", "EXEC", "sales"),
    ("MKT", "Marketing", "EXEC", "marketing"),
    ("RND", "R&D", "EXEC", "rnd"),
    ("FIN", "Finance", "EXEC", "finance"),
    ("PROC", "Procurement", "FIN", "procurement"),
    ("HR", "Human Resources", "EXEC", "hr"),
    ("LEGAL", "Legal", "EXEC", "legal"),
    ("IT", "IT", "EXEC", "it"),
]

# username, first name, last name, department code, role, job title
PEOPLE = [
    ("ceo", "Lan", "Zhou", "EXEC", "head", "Chief Executive Officer"),
    ("cfo", "Jun", "Qian", "EXEC", "member", "Chief Financial Officer"),
    ("staff", "Sam", "Li", "SALES", "member", "Account Manager"),
    ("sales.head", "Wei", "Zhang", "SALES", "head", "Head of Sales"),
    ("sales.rep", "Mei", "Chen", "SALES", "member", "Sales Representative"),
    ("mkt.head", "Olivia", "Brown", "MKT", "head", "Head of Marketing"),
    ("mkt.agent", "Hao", "Wu", "MKT", "agent", "Content Specialist"),
    ("mkt.member", "Ling", "Xu", "MKT", "member", "Brand Manager"),
    ("rnd.head", "Daniel", "Wang", "RND", "head", "Head of R&D"),
    ("rnd.agent", "Yan", "Zhao", "RND", "agent", "Product Data Engineer"),
    ("rnd.member", "Tom", "Fischer", "RND", "member", "Software Engineer"),
    ("head", "Fang", "Liu", "FIN", "head", "Head of Finance"),
    ("agent", "Alex", "Huang", "FIN", "agent", "Accountant"),
    ("fin.agent", "Ming", "Sun", "FIN", "agent", "Payroll Accountant"),
    ("proc.head", "Grace", "Ma", "PROC", "head", "Head of Procurement"),
    ("proc.agent", "Jie", "Gao", "PROC", "agent", "Buyer"),
    ("hr.head", "Rui", "Lin", "HR", "head", "Head of People"),
    ("hr", "Hannah", "Yang", "HR", "member", "HR Business Partner"),
    ("hr.agent", "Xin", "He", "HR", "agent", "Payroll Officer"),
    ("legal.head", "Victor", "Guo", "LEGAL", "head", "General Counsel"),
    ("legal.agent", "Nora", "Luo", "LEGAL", "agent", "Contract Lawyer"),
    ("it.head", "Kai", "Zheng", "IT", "head", "Head of IT"),
    ("it.agent", "Bo", "Tang", "IT", "agent", "Service Desk Engineer"),
    ("it.member", "Sara", "Song", "IT", "member", "Systems Administrator"),
]


def seed(log) -> None:
    """Create or update the demo organisation; running it again changes nothing."""
    departments = _seed_departments()
    _seed_people(departments)
    _seed_hr_group()
    _seed_admin()
    log(f"organisation: {len(departments)} departments, {len(PEOPLE) + 1} people")


def _seed_departments() -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for code, name, parent_code, mailbox in DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": departments.get(parent_code),
                "email": f"{mailbox}@{EMAIL_DOMAIN}" if mailbox else "",
            },
        )
    return departments


def _seed_people(departments: dict[str, Department]) -> None:
    for username, first_name, last_name, code, role, title in PEOPLE:
        user = _demo_user(username, first_name=first_name, last_name=last_name)
        Membership.objects.update_or_create(
            user=user, department=departments[code], defaults={"role": role, "title": title}
        )


def _seed_hr_group() -> None:
    group, _ = Group.objects.get_or_create(name=HR_GROUP)
    group.permissions.add(
        Permission.objects.get(
            content_type__app_label="departments", codename="view_company_reports"
        )
    )
    group.user_set.add(get_user_model().objects.get(username="hr"))


def _seed_admin() -> None:
    _demo_user("admin", first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True)


def _demo_user(username: str, **fields):
    """Get or create a demo login; an existing password is left alone so reruns change nothing."""
    User = get_user_model()
    user, created = User.objects.update_or_create(
        username=username, defaults={"email": f"{username}@{EMAIL_DOMAIN}", **fields}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
