"""The house holds: every package imports only packages below it (docs/ARCHITECTURE.md), and
no module reaches into another's private names. Read from the code's own imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# from the bottom up; a package may import its own modules and any package on a lower floor
FLOORS = [
    ("core",),
    ("voice", "finnish"),
    ("store",),
    ("bot",),
    ("nlu", "actions", "gateway"),
    ("phone",),
    ("cli",),
    ("bench",),
]
FLOOR = {package: n for n, packages in enumerate(FLOORS) for package in packages}


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) of one file, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def sources() -> list[Path]:
    return [p for package in FLOOR for p in sorted((ROOT / package).rglob("*.py"))]


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path: Path) -> None:
    own = path.relative_to(ROOT).parts[0]
    for module, _ in imports(path):
        top = module.split(".")[0]
        if top in FLOOR and top != own:
            assert FLOOR[top] < FLOOR[own], f"{own} imports {module}, which is not below it"


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_of_another_package_is_imported(path: Path) -> None:
    own = path.relative_to(ROOT).parts[0]
    for module, names in imports(path):
        if module.split(".")[0] in FLOOR and module.split(".")[0] != own:
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{path.name} takes {private} from {module}"


def test_labels_are_written_once_for_the_staff_page_telegram_and_the_bot() -> None:
    """ "Otan", "Hoidettu", "Soittopyyntö" and the weekdays come from finnish.labels
    wherever they are shown."""
    from actions import texts as answers
    from finnish import labels
    from gateway import delivery
    from gateway import texts as gateway_texts
    from gateway.staff import texts as staff_texts

    telegram = [b.text for row in delivery.buttons("h1").inline_keyboard for b in row]
    assert telegram == [labels.BUTTONS["take"], labels.BUTTONS["done"]]
    assert staff_texts.BUTTONS is labels.BUTTONS and staff_texts.KINDS is labels.REQUEST_KINDS
    assert staff_texts.WEEKDAYS is labels.WEEKDAYS is answers.WEEKDAYS
    message = gateway_texts.request_for_person({"kind": "chat", "handoff_id": "h1"})
    assert message.startswith(labels.REQUEST_KINDS["chat"])
    assert f'"{labels.BUTTONS["take"]}"' in message
