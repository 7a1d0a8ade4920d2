"""The conventions every episode follows (see CONTRIBUTING.md), checked on the sources.

No build needed: these read `episodes/*.md` (the episodes in `_toc.yml`) and
`_config.yml` with the same code the build uses to write the learner notebooks.
"""

import ast
import importlib
import inspect
import os
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))

from lesson.conventions import (  # noqa: E402
    MAX_CELLS_PER_TEACHING_MINUTE,
    MAX_DAY_MINUTES,
    day_minutes,
    density,
    hidden_name_violations,
    lesson_breaks,
    toc_episodes,
)
from lesson.names import cell_names, to_python  # noqa: E402
from lesson.notebooks import inline, make_notebook, read_episode  # noqa: E402
from lesson.pages import breaks_by_block, duration  # noqa: E402

EPISODES = toc_episodes()
IDS = [p.stem for p in EPISODES]


# --- the hidden-name rule ------------------------------------------------------


@pytest.mark.parametrize("path", EPISODES, ids=IDS)
def test_visible_cells_use_no_name_only_hidden_cells_or_solutions_define(path):
    """Every visible cell runs when copied, in order, into a fresh notebook."""
    violations = hidden_name_violations(path)
    assert not violations, "\n".join(map(str, violations))


@pytest.mark.parametrize(
    "source, reads, defines",
    [
        ("x = 1\nprint(x)", set(), {"x"}),
        ("total += step", {"total", "step"}, {"total"}),
        ("def f(a):\n    return a + b\n", {"b"}, {"f"}),
        ("def f():\n    global g\n    g = 1\n", set(), {"f", "g"}),
        ("squares = [i * k for i in range(3)]", {"k"}, {"squares"}),
        ("for i in items:\n    last = i\n", {"items"}, {"i", "last"}),
        ("import numpy as np, os.path\nnp.sum(z)", {"z"}, {"np", "os"}),
        ("from a import b as c, d", set(), {"c", "d"}),
        ("class A:\n    k = 1\n    def m(self):\n        return k\n", {"k"}, {"A"}),
        ("if (n := len(data)) > 1:\n    pass", {"data"}, {"n"}),
        ("with open(p) as fh:\n    text = fh.read()", {"p"}, {"fh", "text"}),
        ("try:\n    pass\nexcept ValueError as e:\n    print(e)", set(), {"e"}),
        ("f = lambda x: x + y", {"y"}, {"f"}),
        ("result = await fetch(url)", {"fetch", "url"}, {"result"}),
        ("async with session as s:\n    r = await s.get(u)", {"session", "u"}, {"s", "r"}),
        ("%timeit work(n)", {"work", "n"}, set()),
        ("%time answer = work(n)", {"work", "n"}, {"answer"}),
        ("%%timeit -n 3 -r 2 y = setup()\nwork(y)", {"setup", "work"}, set()),
        ("%%time\nanswer = work(n)", {"work", "n"}, {"answer"}),
        ("%%writefile worker.py\nimport q\nq.go(z)", set(), set()),
        ("!ls {folder} $pattern", {"folder", "pattern"}, set()),
        ("files = !ls", set(), {"files"}),
        ("%matplotlib inline\nplot(x)", {"plot", "x"}, set()),
        ("match point:\n    case (a, *rest):\n        pass", {"point"}, {"a", "rest"}),
    ],
)
def test_cell_names(source, reads, defines):
    names = cell_names(source)
    assert (set(names.reads), set(names.defines)) == (reads, defines)


def _episode(tmp_path, body):
    path = tmp_path / "99-test.md"
    path.write_text(
        "---\nkernelspec:\n  name: python3\n  display_name: Python 3\nteaching: 10\nexercises: 5\n"
        "block: core\nquestions: [q]\nobjectives: [o]\nkeypoints: [k]\n---\n\n# Test\n\n" + body,
        encoding="utf-8",
    )
    return path


CHALLENGE = """
````{exercise-start} Try it
:label: t-try
````

```{timer} 5
```

Use {term}`threads <thread>` here; we measured {glue:text}`speed:.2f`.

````{exercise-end}
````

````{solution-start} t-try
:class: dropdown
````

The answer:

```{code-cell} ipython3
answer = base * 2
```

````{solution-end}
````
"""


def test_the_rule_finds_hidden_and_solution_names(tmp_path):
    path = _episode(
        tmp_path,
        "```{code-cell} ipython3\n:tags: [remove-cell]\nsecret = 1\n```\n\n"
        "```{code-cell} ipython3\nbase = 2\n```\n" + CHALLENGE + "\n"
        "```{code-cell} ipython3\nprint(secret, answer, base)\n```\n\n"
        "```{code-cell} ipython3\n:tags: [remove-cell]\nassert answer == secret * 4\n```\n",
    )
    found = {(v.name, v.kind) for v in hidden_name_violations(path)}
    assert found == {("secret", "hidden"), ("answer", "solution")}


# --- learner notebooks -----------------------------------------------------------


def test_learner_notebook_keeps_what_a_reader_sees(tmp_path):
    path = _episode(
        tmp_path,
        "```{episode-overview}\n```\n\n(a-label)=\n## Start\n\n"
        "```{code-cell} ipython3\n:tags: [remove-cell]\nsecret = 1\n```\n\n"
        "```{code-cell} ipython3\n:tags: [remove-input]\nshown_output_only()\n```\n\n"
        "```{code-cell} ipython3\nbase = 2\nbase\n```\n\n"
        "```{instructor-note} For you\nTeach slowly.\n```\n\n"
        ":::{important} Remember\nThe [GIL]{.smallcaps} is a {term}`lock <GIL>`.\n:::\n" + CHALLENGE,
    )
    learner = make_notebook(path, learner=True)
    nbformat.validate(learner)
    code = [c.source for c in learner.cells if c.cell_type == "code"]
    assert code == ["base = 2\nbase"]
    text = "\n".join(c.source for c in learner.cells if c.cell_type == "markdown")
    for myst in ("{term}", "{glue", "```{", "````", ":::", "(a-label)=", "{.smallcaps}", "Teach slowly", "The answer"):
        assert myst not in text, f"{myst!r} left in the learner notebook"
    for plain in ("**Challenge: Try it**", "*(5 min)*", "Use threads here", "[speed]", "> **Remember**",
                  "a lock.", "**Questions**", "- q", "## Start"):
        assert plain in text, f"{plain!r} missing from the learner notebook"
    assert all(not c.get("outputs") for c in learner.cells if c.cell_type == "code")
    assert learner.metadata.kernelspec["name"] == "python3"


def test_full_notebook_keeps_solutions_and_collapsed_output_cells(tmp_path):
    path = _episode(
        tmp_path,
        "```{code-cell} ipython3\n:tags: [remove-cell]\nsecret = 1\n```\n\n"
        "```{code-cell} ipython3\n:tags: [remove-input]\nshown_output_only()\n```\n\n"
        "```{code-cell} ipython3\nbase = 2\n```\n" + CHALLENGE,
    )
    full = make_notebook(path, learner=False, glue={"speed": {"data": {"text/plain": "1.2345"}}})
    code = [c for c in full.cells if c.cell_type == "code"]
    assert [c.source for c in code] == ["shown_output_only()", "base = 2", "answer = base * 2"]
    assert code[0].metadata["jupyter"]["source_hidden"] is True
    text = "\n".join(c.source for c in full.cells if c.cell_type == "markdown")
    assert "**Solution**" in text and "The answer" in text and "we measured 1.23" in text


def test_full_notebook_leaves_out_what_the_page_removes(tmp_path):
    path = _episode(
        tmp_path,
        "```{code-cell} ipython3\n:tags: [remove-input, remove-stderr]\nretry()\n```\n\n"
        "```{code-cell} ipython3\n:tags: [remove-output]\nquiet()\n```\n\n"
        "```{code-cell} ipython3\nloud()\n```\n",
    )
    executed = read_episode(path)
    for cell in (c for c in executed.cells if c.cell_type == "code"):
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="measured again\n"),
                        nbformat.v4.new_output("stream", name="stderr", text="log line\n")]
    full = make_notebook(path, learner=False, executed=executed)
    outputs = [[o.text for o in c.outputs] for c in full.cells if c.cell_type == "code"]
    assert outputs == [["measured again\n"], [], ["measured again\n", "log line\n"]]


def test_inline_roles():
    assert inline("a {term}`GIL` and {term}`cores <core>`") == "a GIL and cores"
    assert inline("see {doc}`/episodes/02-measuring-performance`") == "see 02-measuring-performance"
    assert inline("took {glue:text}`t:.2f` s") == "took [t] s"
    assert inline("took {glue:text}`t:.1f` s", {"t": {"data": {"text/plain": "2.345"}}}) == "took 2.3 s"
    assert inline("$x$ and {math}`y`") == "$x$ and $y$"
    assert inline("`{input}` and `{output}` and ``{threads}``") == "`{input}` and `{output}` and ``{threads}``"
    assert inline("[GIL]{.smallcaps} and [a link](x.md)") == "GIL and [a link](x.md)"


@pytest.mark.parametrize("path", EPISODES, ids=IDS)
def test_every_episode_makes_valid_notebooks(path):
    for learner in (True, False):
        notebook = make_notebook(path, learner=learner)
        nbformat.validate(notebook)
        text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        assert "{term}`" not in text and "{glue" not in text and "````{" not in text


# --- code that fits the page ------------------------------------------------------

MAX_CODE_LINE = 80  # characters the site's code box shows at a laptop's width
NOTEBOOK_PAGES = EPISODES + sorted(
    p for p in (Path(__file__).resolve().parents[1] / "book").glob("*.md") if "kernelspec:" in p.read_text()
)


@pytest.mark.parametrize("path", NOTEBOOK_PAGES, ids=[p.stem for p in NOTEBOOK_PAGES])
def test_visible_code_lines_fit_the_code_box(path):
    """A longer line is cut at the box's edge: a reader must scroll sideways to see it."""
    too_long = [
        line
        for cell in jupytext.read(path).cells
        if cell.cell_type == "code" and not {"remove-cell", "remove-input"} & set(cell.metadata.get("tags", []))
        for line in cell.source.splitlines()
        if len(line) > MAX_CODE_LINE
    ]
    assert not too_long, f"{path.name}: visible code lines over {MAX_CODE_LINE} characters:\n" + "\n".join(too_long)


@pytest.mark.parametrize("path", NOTEBOOK_PAGES, ids=[p.stem for p in NOTEBOOK_PAGES])
def test_output_only_cells_that_measure_again_hide_its_log(path):
    """measure_until logs to stderr, and a page shows a ``remove-input`` cell's stderr."""
    unhidden = [
        cell.source.splitlines()[0]
        for cell in jupytext.read(path).cells
        if cell.cell_type == "code" and "measure_until(" in cell.source
        and "remove-input" in cell.metadata.get("tags", [])
        and "remove-stderr" not in cell.metadata.get("tags", [])
    ]
    assert not unhidden, f"{path.name}: tag these remove-stderr too: {unhidden}"


# An exercise box is indented on both sides: at 1366 px, a common laptop width, it
# shows 77 characters where a plain code box shows 85 (measured in Chromium).
MAX_EXERCISE_LINE = 77


@pytest.mark.parametrize("path", NOTEBOOK_PAGES, ids=[p.stem for p in NOTEBOOK_PAGES])
def test_code_in_exercise_boxes_fits_their_narrower_box(path):
    """Code cells between ``exercise-start`` and ``exercise-end`` (solutions have more room)."""
    too_long, in_exercise, cell = [], False, None
    for line in path.read_text(encoding="utf-8").splitlines():
        marker = re.match(r"^`{3,}\{(exercise|solution)-(start|end)\}", line)
        if marker:
            in_exercise = marker.groups() == ("exercise", "start")
        elif line.startswith("```{code-cell}"):
            cell = []
        elif cell is not None and line.startswith("```"):
            hidden = any(option.startswith(":tags:") and "remove" in option for option in cell)
            if in_exercise and not hidden:
                too_long += [code for code in cell if len(code) > MAX_EXERCISE_LINE and not code.startswith(":")]
            cell = None
        elif cell is not None:
            cell.append(line)
    assert not too_long, (
        f"{path.name}: lines in exercise boxes over {MAX_EXERCISE_LINE} characters:\n" + "\n".join(too_long)
    )


PACKAGE = "parallel_patterns"
PAGES = sorted((Path(__file__).resolve().parents[1] / "episodes").glob("*.md")) + sorted(
    (Path(__file__).resolve().parents[1] / "book").glob("*.md")
)
# The pages print about 80 package objects: far fewer means the search below
# has stopped finding them, not that the pages stopped printing them.
MIN_PRINTED_OBJECTS = 60
_LITERALINCLUDE = re.compile(r"^`{3,}\{literalinclude\} \.\./code/(\S+)\.py\n((?::\w+:.*\n)*)", re.M)


def _imports_and_printed(path):
    """What a page's package imports bind, and the expressions it prints with ``inspect.getsource``.

    ``imports`` maps each name that ``from parallel_patterns... import`` or
    ``import parallel_patterns...`` binds to the dotted path of what it binds;
    ``printed`` lists the source of each argument of ``inspect.getsource``, the
    items of a ``for function in (a, b):`` loop standing for ``function``.
    """
    imports, printed = {}, []
    cells = jupytext.read(path).cells if "kernelspec:" in path.read_text(encoding="utf-8") else []
    for cell in cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(to_python(cell.source)[0])
        loops = {
            node.target.id: node.iter.elts
            for node in ast.walk(tree)
            if isinstance(node, ast.For) and isinstance(node.target, ast.Name)
            and isinstance(node.iter, (ast.Tuple, ast.List))
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == PACKAGE:
                for alias in node.names:
                    imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    # `import a.b` binds `a`; `import a.b as c` binds `c` to a.b
                    if alias.name.split(".")[0] == PACKAGE:
                        imports[alias.asname or PACKAGE] = alias.name if alias.asname else PACKAGE
            elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("inspect.getsource", "getsource"):
                argument = node.args[0]
                items = loops.get(argument.id, [argument]) if isinstance(argument, ast.Name) else [argument]
                printed.extend(ast.unparse(item) for item in items)
    return imports, printed


def _resolve(dotted):
    """The object at ``dotted``, found as ``from a.b import c`` finds it: an attribute, else a submodule."""
    first, *rest = dotted.split(".")
    obj = importlib.import_module(first)
    for name in rest:
        obj = getattr(obj, name) if hasattr(obj, name) else importlib.import_module(f"{obj.__name__}.{name}")
    return obj


def printed_package_objects():
    """``{(page, name as the page writes it): object}`` for each package object a page prints in full.

    A page prints source with ``inspect.getsource(X)`` in a code cell, ``X``
    reached through one of the page's package imports (names that notebook
    cells define are not the package's, and are left out), or with a
    ``literalinclude`` of a package file with ``:pyobject:``.
    """
    found = {}
    for path in PAGES:
        imports, printed = _imports_and_printed(path)
        for expression in printed:
            head, _, rest = expression.partition(".")
            if head in imports:
                found[path.name, expression] = _resolve(".".join(filter(None, [imports[head], rest])))
        for module, options in _LITERALINCLUDE.findall(path.read_text(encoding="utf-8")):
            pyobject = re.search(r"^:pyobject: (\S+)$", options, re.M)
            if module.split("/")[0] == PACKAGE and pyobject:
                name = pyobject.group(1)
                found[path.name, name] = _resolve(f"{module.replace('/', '.')}.{name}")
    return found


def test_package_code_that_pages_print_fits_the_code_box():
    """The functions a page prints (``inspect.getsource``, ``literalinclude`` ``:pyobject:``) fit the box too.

    The package's own style allows longer lines; the code a reader is shown
    on a page does not.
    """
    printed = printed_package_objects()
    assert len(printed) >= MIN_PRINTED_OBJECTS, (
        f"found only {len(printed)} package objects printed on the pages, expected at least "
        f"{MIN_PRINTED_OBJECTS}: does printed_package_objects still read the pages' imports "
        "and inspect.getsource calls?"
    )
    too_long = [
        f"{page}: {name}: {line.strip()} ({len(line)} characters)"
        for (page, name), obj in sorted(printed.items())
        for line in inspect.getsource(obj).splitlines()
        if len(line) > MAX_CODE_LINE
    ]
    assert not too_long, f"printed source lines over {MAX_CODE_LINE} characters:\n" + "\n".join(too_long)


_INCLUDED_RANGE = re.compile(r"^`{3,}\{literalinclude\} \.\./(code/\S+)\n((?::[\w-]+:.*\n)*)", re.M)


def included_lines(path, options):
    """The lines of ``path`` that a ``literalinclude`` with these options shows.

    Understands ``:lines: A-`` and ``A-B``, ``:start-at:``, ``:start-after:``,
    ``:end-at:`` and ``:end-before:``; ``:pyobject:`` is left to the test
    above, which finds the object itself.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    option = dict(re.findall(r"^:([\w-]+):\s*(.*)$", options, re.M))
    if "lines" in option:
        first, _, last = option["lines"].partition("-")
        lines = lines[int(first) - 1 : int(last) if last else None]
    for key, keep_marker in (("start-at", True), ("start-after", False)):
        if key in option:
            (start,) = [i for i, line in enumerate(lines) if option[key] in line][:1]
            lines = lines[start if keep_marker else start + 1 :]
    for key, keep_marker in (("end-at", True), ("end-before", False)):
        if key in option:
            (end,) = [i for i, line in enumerate(lines) if option[key] in line][:1]
            lines = lines[: end + 1 if keep_marker else end]
    return lines


def test_included_files_fit_the_code_box():
    """Snakefiles, scripts and C, C++ and Cython sources shown with ``literalinclude`` fit the box."""
    root = Path(__file__).resolve().parents[1]
    shown, too_long = 0, []
    for page in PAGES:
        for relative, options in _INCLUDED_RANGE.findall(page.read_text(encoding="utf-8")):
            if ":pyobject:" in options:
                continue
            shown += 1
            too_long += [
                f"{page.name}: {relative}: {line.strip()} ({len(line)} characters)"
                for line in included_lines(root / relative, options)
                if len(line) > MAX_CODE_LINE
            ]
    assert shown >= 10, f"found only {shown} literalincludes of code/: is the pattern still right?"
    assert not too_long, f"included lines over {MAX_CODE_LINE} characters:\n" + "\n".join(too_long)


def test_included_lines_follow_the_options(tmp_path):
    source = tmp_path / "f.py"
    source.write_text("a\nb\nc\nd\ne\n")
    assert included_lines(source, ":lines: 2-\n") == ["b", "c", "d", "e"]
    assert included_lines(source, ":lines: 2-3\n") == ["b", "c"]
    assert included_lines(source, ":start-at: b\n:end-before: d\n") == ["b", "c"]
    assert included_lines(source, ":start-after: b\n:end-at: d\n") == ["c", "d"]


# --- density and day length -----------------------------------------------------


@pytest.mark.parametrize("path", EPISODES, ids=IDS)
def test_density_of_visible_code_cells(path):
    """At most 0.8 visible code cells per teaching minute in the main text.

    Cells in challenges, solutions and sections whose heading ends in
    "(optional)" do not count; nor do hidden cells.
    """
    cells, teaching, per_minute = density(path)
    assert per_minute <= MAX_CELLS_PER_TEACHING_MINUTE, (
        f"{path.stem}: {cells} visible code cells in {teaching} teaching minutes = {per_minute:.2f} per minute "
        f"(at most {MAX_CELLS_PER_TEACHING_MINUTE}: move cells into challenges or a section titled '... (optional)')"
    )


def test_every_day_fits_seven_and_a_half_hours():
    days = day_minutes()
    assert "core" in days
    too_long = []
    for block, (teaching, exercises, breaks) in days.items():
        total = teaching + exercises + breaks
        if total > MAX_DAY_MINUTES:
            too_long.append(
                f"{block} day: {teaching} min teaching + {exercises} min challenges + {breaks} min breaks "
                f"= {duration(total)} (at most {duration(MAX_DAY_MINUTES)})"
            )
    assert not too_long, "\n".join(too_long)


def test_each_day_has_morning_lunch_and_afternoon_breaks():
    days = breaks_by_block(lesson_breaks())
    for block in ("core", "extension"):
        assert sorted(minutes for minutes, _ in days[block].values()) == [15, 15, 60], block
    for entry in lesson_breaks():
        assert entry["after"].startswith("episodes/")
        source = Path(__file__).resolve().parents[1] / f"{entry['after']}.md"
        if source.exists():  # a break names an episode of its own day
            from lesson.metadata import read_front_matter

            assert read_front_matter(source)["block"] == entry["block"], entry


def test_write_notebooks_puts_both_notebooks_and_a_zip_into_the_site(tmp_path):
    import zipfile

    from lesson.notebooks import read_episode, write_notebooks

    path = _episode(tmp_path, "```{code-cell} ipython3\nbase = 2\nbase\n```\n" + CHALLENGE)
    executed = read_episode(path)
    for cell in executed.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    run_dir = tmp_path / "jupyter_execute" / "episodes"
    run_dir.mkdir(parents=True)
    nbformat.write(executed, run_dir / "99-test.ipynb")
    out = tmp_path / "html"
    write_notebooks(out, {"episodes/99-test": path}, tmp_path / "jupyter_execute")
    learner = nbformat.read(out / "notebooks" / "99-test.ipynb", as_version=4)
    full = nbformat.read(out / "notebooks" / "99-test-full.ipynb", as_version=4)
    assert [c.source for c in learner.cells if c.cell_type == "code"] == ["base = 2\nbase"]
    full_code = [c for c in full.cells if c.cell_type == "code"]
    assert len(full_code) == 2 and all(c.outputs for c in full_code)
    with zipfile.ZipFile(out / "notebooks" / "learner-notebooks.zip") as archive:
        assert archive.namelist() == ["parallel-python-notebooks/99-test.ipynb"]
    # A rebuild with nothing changed writes only the zip; an edited page is written again.
    written = write_notebooks(out, {"episodes/99-test": path}, tmp_path / "jupyter_execute")
    assert [p.name for p in written] == ["learner-notebooks.zip"]
    with zipfile.ZipFile(out / "notebooks" / "learner-notebooks.zip") as archive:
        assert archive.namelist() == ["parallel-python-notebooks/99-test.ipynb"]
    later = (out / "notebooks" / "99-test.ipynb").stat().st_mtime + 1
    os.utime(path, (later, later))
    written = write_notebooks(out, {"episodes/99-test": path}, tmp_path / "jupyter_execute")
    assert sorted(p.name for p in written) == ["99-test-full.ipynb", "99-test.ipynb", "learner-notebooks.zip"]


@pytest.mark.parametrize("path", EPISODES, ids=IDS)
def test_jupytext_and_the_build_read_the_same_code_cells(path):
    """The full notebook takes its outputs from myst-nb's executed notebook, cell by cell."""
    from myst_nb.core.read import read_myst_markdown_notebook

    from lesson.notebooks import read_episode

    built = [c.source.strip() for c in read_myst_markdown_notebook(path.read_text(encoding="utf-8")).cells
             if c.cell_type == "code"]
    ours = [c.source.strip() for c in read_episode(path).cells if c.cell_type == "code"]
    assert built == ours


def test_literalinclude_becomes_a_code_block(tmp_path):
    (tmp_path / "work.py").write_text("import os\n\n\ndef main():\n    return 1\n\n\ndef other():\n    pass\n")
    path = _episode(
        tmp_path,
        "```{literalinclude} work.py\n:language: python\n:pyobject: main\n```\n\n"
        "```{literalinclude} work.py\n:start-at: def other\n```\n",
    )
    text = "\n".join(c.source for c in make_notebook(path).cells if c.cell_type == "markdown")
    assert "```python\ndef main():\n    return 1\n```" in text
    assert "```\ndef other():\n    pass\n```" in text
