"""surveys sits below feedback, dashboards and recognition: it imports none of them (feedback
shows its actions on the results pages through surveys.result_panels instead)."""

import ast
from pathlib import Path

import surveys

ABOVE = {"feedback", "dashboards", "recognition", "config"}


def imported_apps(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_surveys_imports_no_app_above_it():
    package = Path(surveys.__file__).parent
    offending = {
        str(path.relative_to(package)): imported_apps(path) & ABOVE
        for path in package.rglob("*.py")
        if imported_apps(path) & ABOVE
    }
    assert offending == {}
