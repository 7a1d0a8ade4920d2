"""The conventions every episode follows, as functions the tests call.

- the hidden-name rule: a visible cell never uses a name that only hidden cells
  define, and the main text never uses a name that only solutions define;
- density: visible code cells in the main text per teaching minute;
- day length: a day's teaching, challenges and breaks.

They read the episode sources (no build needed), with the same walk over the
cells (``notebooks.episode_items``) that writes the learner notebooks.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml

from .metadata import BLOCKS, read_front_matter
from .names import cell_names
from .notebooks import episode_items, read_episode

MAX_CELLS_PER_TEACHING_MINUTE = 0.8
MAX_DAY_MINUTES = 7 * 60 + 30
ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Violation:
    episode: str
    cell: int  # index among the episode's code cells, from 0
    name: str
    kind: str  # "hidden" or "solution"
    first_line: str

    def __str__(self):
        where = "a hidden (remove-cell/remove-input) cell" if self.kind == "hidden" else "a solution"
        return f"{self.episode}: code cell {self.cell} ({self.first_line!r}) uses {self.name!r}, defined only in {where}"


def hidden_name_violations(path):
    """Visible cells that use a name only a hidden cell or a solution defines.

    Walks the code cells in order, as a learner would run them in a fresh
    notebook: a visible cell (main text or challenge text) may use what earlier
    visible cells define; a solution cell may also use earlier solutions'
    names; hidden cells may use anything.
    """
    episode = Path(path).stem
    visible, solution, hidden = set(), set(), set()
    found = []
    code_index = -1
    for item in episode_items(read_episode(path), Path(path).parent):
        if not item.is_code:
            continue
        code_index += 1
        try:
            names = cell_names(item.cell.source)
        except SyntaxError as error:
            raise SyntaxError(f"{episode}: code cell {code_index} is not Python: {error}") from error
        first = item.cell.source.strip().splitlines()[0] if item.cell.source.strip() else ""
        if item.hidden:
            hidden |= names.defines
            continue
        in_solution = item.region == "solution"
        for name in sorted(names.reads):
            if name in visible or (in_solution and name in solution):
                continue
            if name in hidden:
                found.append(Violation(episode, code_index, name, "hidden", first))
            elif name in solution:
                found.append(Violation(episode, code_index, name, "solution", first))
        (solution if in_solution else visible).update(names.defines)
    return found


def main_text_code_cells(path):
    """Visible code cells outside challenges, solutions and optional sections."""
    return [
        item
        for item in episode_items(read_episode(path), Path(path).parent)
        if item.visible_code and item.region == "main" and not item.optional
    ]


def density(path):
    """``(cells, teaching minutes, cells per minute)`` of one episode's main text."""
    teaching = read_front_matter(path).get("teaching") or 0
    cells = len(main_text_code_cells(path))
    return cells, teaching, (cells / teaching if teaching else float("inf"))


def toc_episodes(root=ROOT):
    """Source paths of the episodes in ``_toc.yml``, in file-name order."""
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    files = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("file"), str) and node["file"].startswith("episodes/"):
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    return sorted(Path(root) / f"{f.removesuffix('.md')}.md" for f in files)


def lesson_breaks(root=ROOT):
    config = yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf-8"))
    return config["sphinx"]["config"].get("lesson_breaks", [])


def day_minutes(root=ROOT):
    """For each block (day): ``(teaching, exercises, breaks)`` in minutes.

    A day's breaks are all those ``_config.yml`` lists for its block, once the
    day has an episode at all.
    """
    days = {}
    for block in BLOCKS:
        metas = [read_front_matter(p) for p in toc_episodes(root)]
        metas = [m for m in metas if m.get("block") == block]
        if not metas:
            continue
        breaks = sum(b["minutes"] for b in lesson_breaks(root) if b.get("block", "core") == block)
        days[block] = (sum(m["teaching"] for m in metas), sum(m["exercises"] for m in metas), breaks)
    return days
