"""Notebooks learners download: made from the episode sources at every build.

Each episode gets two notebooks, written to ``notebooks/`` in the site:

- the *learner notebook* ``NN-name.ipynb``: the cells a reader sees, without
  outputs and without the challenges' solutions, to code along in JupyterLab;
- the *full notebook* ``NN-name-full.ipynb``: the same cells with the outputs
  of the build's execution and with the solutions, as the page shows them.

Hidden cells (tag ``remove-cell``) are left out of both. Cells whose input the
page hides (``remove-input``) are left out of the learner notebook (a learner
cannot see or type them) and kept, collapsed, in the full notebook for their
output. Like the page, the full notebook leaves out the outputs of a
``remove-output`` cell and the error stream of a ``remove-stderr`` cell.
``notebooks/learner-notebooks.zip`` holds every learner notebook.

JupyterLab does not understand MyST, so the markdown is rewritten to plain
Markdown: a challenge becomes a bold "Challenge" line and its text, ``{term}``
and other roles become their text, a glued number becomes ``[name]`` in the
learner notebook (the value measured at build in the full one), instructor
notes are left out, admonitions become block quotes.

The same walk over an episode's cells (``episode_items``) tells the
convention tests which cells are hidden, in a challenge, in a solution or in
an optional section; so what the tests check is what the build writes.
"""

import ast
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

from .errors import LessonError

NOTEBOOK_DIR = "notebooks"
ZIP_NAME = "learner-notebooks.zip"
LESSON_TITLE = "Parallel Programming in Python"
# A learner-notebook cell with this tag is one the learner completes: tests
# that run the learner notebooks skip it.
LEARNER_SKIP = "learner-skip"
HIDDEN_TAGS = {"remove-cell"}
INPUT_HIDDEN_TAGS = {"remove-input"}

_DIRECTIVE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:.-]+)\}\s*(?P<arg>.*)$")
_CODE_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")
_SPAN = re.compile(r"\[(?P<text>[^\]\n]*)\]\{[.#][^}\n]*\}")
_LABEL = re.compile(r"^\s*\([\w.:-]+\)=\s*$")
_HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_ADMONITIONS = {
    "note", "important", "warning", "tip", "caution", "attention", "danger", "error",
    "hint", "seealso", "admonition", "dropdown", "margin", "sidebar", "topic",
}
_CODE_DIRECTIVES = {"code-block", "code", "sourcecode", "mermaid", "graphviz"}


@dataclass
class Item:
    """One cell of an episode and where it sits.

    ``region`` is ``main``, ``exercise`` (a challenge's text) or ``solution``;
    ``optional`` is true under a heading that ends in "(optional)".
    """

    cell: dict
    region: str = "main"
    optional: bool = False
    headings: list = field(default_factory=list)

    @property
    def tags(self):
        return set(self.cell.get("metadata", {}).get("tags", []))

    @property
    def is_code(self):
        return self.cell["cell_type"] == "code"

    @property
    def hidden(self):
        """The page shows none of this cell's code."""
        return self.is_code and bool(self.tags & (HIDDEN_TAGS | INPUT_HIDDEN_TAGS))

    @property
    def visible_code(self):
        return self.is_code and not self.hidden


def read_episode(path):
    """An episode's MyST source as an nbformat notebook (jupytext's reader)."""
    return jupytext.read(Path(path), fmt="md:myst")


# --- markdown ---------------------------------------------------------------


def _role_text(name, body, glue):
    if name.startswith("glue"):
        key, _, fmt = body.partition(":")
        key = key.strip()
        if glue is not None and key in glue:
            return _glue_text(glue[key], fmt)
        return f"[{key}]"
    if name == "math":
        return f"${body}$"
    match = re.match(r"^(?P<text>.*?)\s*<(?P<target>[^>]*)>$", body, re.S)
    if match and match["text"]:
        return match["text"]
    if name in ("doc", "ref", "numref", "any"):
        target = match["target"] if match else body
        return target.rstrip("/").split("/")[-1]
    return body


def _glue_text(bundle, fmt):
    data = bundle.get("data", bundle) if isinstance(bundle, dict) else {}
    text = data.get("text/markdown") or data.get("text/plain") or ""
    if isinstance(text, list):
        text = "".join(text)
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if fmt:
        try:
            return format(value, fmt)
        except (ValueError, TypeError):
            pass
    return str(value)


def inline(text, glue=None):
    """MyST roles and attribute spans in one line as plain Markdown.

    Code spans stay as they are (```{input}``` in a span is not a role); a role
    is ``{name}`` right before a code span.
    """
    out, i = [], 0
    while i < len(text):
        opening = re.compile(r"`+").search(text, i)
        if not opening:
            out.append(_SPAN.sub(lambda m: m["text"], text[i:]))
            break
        ticks = opening.group()
        closing = re.compile(rf"(?<!`){ticks}(?!`)").search(text, opening.end())
        if not closing:
            out.append(_SPAN.sub(lambda m: m["text"], text[i:]))
            break
        plain, code = text[i : opening.start()], text[opening.end() : closing.start()]
        role = re.search(r"\{(?P<name>[\w:.-]+)\}$", plain)
        if role:
            out.append(_SPAN.sub(lambda m: m["text"], plain[: role.start()]))
            out.append(_role_text(role["name"], code, glue))
        else:
            out.append(_SPAN.sub(lambda m: m["text"], plain))
            out.append(text[opening.start() : closing.end()])
        i = closing.end()
    return "".join(out)


def _overview(meta):
    lines = [
        f"**Teaching:** {meta.get('teaching', '?')} min · **Exercises:** {meta.get('exercises', '?')} min",
        "",
        "**Questions**",
        "",
    ]
    lines += [f"- {q}" for q in meta.get("questions", [])]
    lines += ["", "**Objectives**", ""]
    lines += [f"- {o}" for o in meta.get("objectives", [])]
    return lines


def _keypoints(meta):
    return ["**Keypoints**", ""] + [f"- {k}" for k in meta.get("keypoints", [])]


class _Markdown:
    """Rewrites the markdown cells of one episode, in order, to plain Markdown.

    It keeps state across cells: a gated challenge or solution opens in one
    markdown cell and closes in a later one, with code cells in between.
    """

    def __init__(self, meta, episode_dir, learner, glue):
        self.meta = meta
        self.episode_dir = Path(episode_dir)
        self.learner = learner
        self.glue = glue
        self.region = "main"
        self.optional_level = None
        self.headings = []

    @property
    def optional(self):
        return self.optional_level is not None

    def dropping(self):
        return self.learner and self.region == "solution"

    def cell(self, source):
        """Plain Markdown for one cell's ``source`` (may be empty)."""
        out = self._block(source.splitlines(), top=True)
        text = "\n".join(out).strip("\n")
        return re.sub(r"\n{3,}", "\n\n", text)

    def _heading(self, line):
        match = _HEADING.match(line)
        if not match:
            return
        level = len(match["level"])
        if self.optional_level is not None and level <= self.optional_level:
            self.optional_level = None
        if match["text"].lower().endswith("(optional)"):
            self.optional_level = level
        self.headings.append(match["text"])

    def _block(self, lines, top=False):
        out = []
        i = 0
        while i < len(lines):
            line = lines[i]
            directive = _DIRECTIVE.match(line)
            fence = None if directive else _CODE_FENCE.match(line)
            if directive or fence:
                match = directive or fence
                end = self._closing(lines, i + 1, match["fence"])
                body = lines[i + 1 : end]
                i = end + 1
                if fence:
                    if not self.dropping():
                        out += [line, *body, lines[end] if end < len(lines) else match["fence"]]
                    continue
                out += self._directive(directive["name"], inline(directive["arg"].strip(), self.glue), body, top)
                continue
            i += 1
            if top:
                self._heading(line)
            if self.dropping() or _LABEL.match(line) or re.match(r"^\s*%", line):
                continue
            out.append(inline(line, self.glue))
        return out

    @staticmethod
    def _closing(lines, start, fence):
        pattern = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        for j in range(start, len(lines)):
            if pattern.match(lines[j]):
                return j
        return len(lines)

    @staticmethod
    def _options(body):
        options, rest = {}, list(body)
        while rest and _OPTION.match(rest[0]):
            option = _OPTION.match(rest.pop(0))
            options[option["key"]] = option["value"]
        return options, rest

    def _directive(self, name, arg, body, top):
        options, body = self._options(body)
        if name in ("exercise-start", "exercise"):
            self.region = "exercise" if name == "exercise-start" else self.region
            title = f"**Challenge: {arg}**" if arg else "**Challenge**"
            return ["", title, "", *self._block(body), ""]
        if name in ("exercise-end", "solution-end"):
            self.region = "main"
            return []
        if name in ("solution-start", "solution"):
            gated = name == "solution-start"
            if gated:
                self.region = "solution"
            if self.learner:
                return []
            return ["", "**Solution**", "", *self._block(body), ""]
        if self.dropping():
            return []
        if name == "timer":
            return [f"*({arg} min)*", ""]
        if name == "episode-overview":
            return _overview(self.meta)
        if name == "episode-keypoints":
            return _keypoints(self.meta)
        if name.startswith("instructor"):
            return []
        if name == "literalinclude":
            return self._literalinclude(arg, options)
        if name in _CODE_DIRECTIVES:
            language = arg or options.get("language", "")
            return [f"```{language}", *body, "```"]
        if name == "math":
            return ["$$", *body, "$$"]
        if name in ("figure", "image"):
            alt = options.get("alt") or " ".join(self._block(body)).strip() or "figure"
            return [f"![{alt}]({arg})"]
        if name.startswith("glue"):
            key = arg.split(":")[0]
            return [f"*[{key}: see the lesson page]*"]
        if name == "rubric":
            return [f"**{arg}**", ""]
        inner = self._block(body)
        title = arg or (name.capitalize() if name in _ADMONITIONS else "")
        if name in _ADMONITIONS:
            quoted = [f"> **{title}**", ">"] if title else []
            return ["", *quoted, *[f"> {line}".rstrip() for line in inner], ""]
        return ["", *([f"**{title}**", ""] if title else []), *inner, ""]

    def _literalinclude(self, arg, options):
        path = (self.episode_dir / arg.lstrip("/")).resolve()
        if arg.startswith("/"):
            path = (self.episode_dir.parent / arg.lstrip("/")).resolve()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return [f"*(The file `{arg}` of the lesson repository.)*"]
        lines = text.splitlines()
        if "pyobject" in options:
            lines = _pyobject(text, options["pyobject"]) or lines
        for key, after in (("start-at", False), ("start-after", True)):
            if key in options:
                hit = next((n for n, line in enumerate(lines) if options[key] in line), None)
                if hit is not None:
                    lines = lines[hit + after :]
        for key, keep in (("end-before", False), ("end-at", True)):
            if key in options:
                hit = next((n for n, line in enumerate(lines) if options[key] in line), None)
                if hit is not None:
                    lines = lines[: hit + keep]
        if "lines" in options:
            keep = []
            for part in options["lines"].split(","):
                first, _, last = part.strip().partition("-")
                keep += lines[int(first) - 1 : int(last or first)]
            lines = keep
        return [f"```{options.get('language', '')}", *lines, "```"]


def _pyobject(text, name):
    """The source lines of a function or class ``name`` (``Class.method`` too) in Python ``text``."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    body = tree.body
    node = None
    for part in name.split("."):
        node = next((n for n in body if getattr(n, "name", None) == part), None)
        if node is None:
            return None
        body = getattr(node, "body", [])
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return text.splitlines()[first - 1 : node.end_lineno]


# --- the walk and the notebooks ----------------------------------------------


def episode_items(notebook, episode_dir=".", learner=True, glue=None):
    """Every cell of an episode with its region, and its markdown made plain.

    Markdown cells come back with their rewritten source (possibly empty);
    code cells unchanged.
    """
    markdown = _Markdown(notebook.metadata, episode_dir, learner, glue)
    items = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            region_before = markdown.region
            source = markdown.cell(cell.source)
            new = nbformat.v4.new_markdown_cell(source)
            items.append(Item(new, region_before, markdown.optional, list(markdown.headings)))
        elif cell.cell_type == "code":
            items.append(Item(cell, markdown.region, markdown.optional, list(markdown.headings)))
    return items


def _intro(meta, title, learner):
    if learner:
        what = (
            "the code of the page, with no outputs and no solutions. Type along or run each cell "
            "and compare with the page; the challenges are yours to solve. A name in square "
            "brackets, like `[name]`, stands for a number measured when the site was built: "
            "the page shows it, your own run may differ."
        )
    else:
        what = "the page's code with the outputs of the run that built the site, and the solutions."
    return f"*{LESSON_TITLE}: {title}.* This notebook holds {what}"


def _clean_metadata(cell, learner):
    tags = [t for t in cell.metadata.get("tags", []) if t not in HIDDEN_TAGS]
    metadata = {}
    if tags:
        metadata["tags"] = tags
    if not learner and set(tags) & INPUT_HIDDEN_TAGS:
        metadata["jupyter"] = {"source_hidden": True}
    return metadata


def _strip_records(outputs, stderr=True):
    """Outputs without glue's bookkeeping mime types, and without the error stream unless ``stderr``."""
    kept = []
    for output in outputs:
        output = nbformat.from_dict(dict(output))
        if not stderr and output.get("output_type") == "stream" and output.get("name") == "stderr":
            continue
        if "data" in output:
            output["data"] = {k: v for k, v in output["data"].items() if not k.startswith("application/papermill")}
            if not output["data"]:
                continue
        kept.append(output)
    return kept


def make_notebook(source_path, learner=True, executed=None, glue=None):
    """The learner notebook (``learner=True``) or the full one of an episode.

    ``executed`` is the build's executed notebook (myst-nb writes it to
    ``_build/jupyter_execute``); its outputs go into the full notebook, code
    cell by code cell. ``glue`` is the build's glue data, for the numbers in
    the full notebook's text.
    """
    source_path = Path(source_path)
    notebook = read_episode(source_path)
    outputs = None
    if executed is not None:
        run = [c for c in executed.cells if c.cell_type == "code"]
        mine = [c for c in notebook.cells if c.cell_type == "code"]
        if len(run) != len(mine) or any(a.source.strip() != b.source.strip() for a, b in zip(run, mine)):
            raise LessonError(f"{source_path}: the executed notebook's code cells do not match the source")
        outputs = {id(cell): done for cell, done in zip(mine, run)}
    cells = []
    title = source_path.stem
    for item in episode_items(notebook, source_path.parent, learner=learner, glue=None if learner else glue):
        if item.headings and title == source_path.stem:
            title = item.headings[0]
        cell = item.cell
        if not item.is_code:
            if cell.source.strip():
                cells.append(cell)
            continue
        if item.tags & HIDDEN_TAGS:
            continue
        if learner and (item.region == "solution" or item.tags & INPUT_HIDDEN_TAGS):
            continue
        new = nbformat.v4.new_code_cell(cell.source, metadata=_clean_metadata(cell, learner))
        if not learner and outputs is not None:
            done = outputs[id(cell)]
            if "remove-output" not in item.tags:
                new.outputs = _strip_records(done.get("outputs", []), stderr="remove-stderr" not in item.tags)
            new.execution_count = done.get("execution_count")
        cells.append(new)
    intro = _intro(notebook.metadata, title, learner)
    first = cells[0] if cells else None
    if first is not None and first.cell_type == "markdown" and first.source.startswith("# "):
        heading, _, rest = first.source.partition("\n")
        first.source = f"{heading}\n\n{intro}\n{rest}"
    else:
        cells.insert(0, nbformat.v4.new_markdown_cell(intro))
    result = nbformat.v4.new_notebook(cells=cells)
    result.metadata["kernelspec"] = dict(notebook.metadata.get("kernelspec", {}))
    result.metadata["language_info"] = {"name": "python"}
    for cell in result.cells:  # stable ids keep the files the same from build to build
        cell.pop("id", None)
    result.nbformat_minor = 4
    nbformat.validate(result)
    return result


def learner_name(docname):
    return f"{docname.split('/')[-1]}.ipynb"


def full_name(docname):
    return f"{docname.split('/')[-1]}-full.ipynb"


def download_links_html(docname):
    """The download menu for an episode page: a native disclosure with two links."""
    up = "../" * docname.count("/")
    learner = f"{up}{NOTEBOOK_DIR}/{learner_name(docname)}"
    full = f"{up}{NOTEBOOK_DIR}/{full_name(docname)}"
    return (
        '<details class="lesson-downloads">'
        "<summary>Download this episode as a notebook</summary>"
        '<ul class="lesson-download-list">'
        f'<li><a class="lesson-download-learner" href="{learner}" download="{learner_name(docname)}">'
        "Learner notebook (.ipynb): the code without outputs or solutions, to work in</a></li>"
        f'<li><a class="lesson-download-full" href="{full}" download="{full_name(docname)}">'
        "Full notebook (.ipynb): with outputs and solutions, as on this page</a></li>"
        "</ul></details>"
    )


def zip_link_html(docname):
    up = "../" * docname.count("/")
    return (
        f'<a class="lesson-download-zip" href="{up}{NOTEBOOK_DIR}/{ZIP_NAME}" download="{ZIP_NAME}">'
        "Download all learner notebooks (.zip)</a>"
    )


def _read_json(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _executed_from_cache(cache_dir, source):
    """The source notebook with the outputs the jupyter cache holds for it, or None.

    myst-nb writes ``_build/jupyter_execute/<page>.ipynb`` from the notebook it
    parsed, which has outputs only when the page ran in this build: a page taken
    from the cache (every page but the failed one, when a build is retried) is
    written there without outputs. The cache itself has them.
    """
    if cache_dir is None or not Path(cache_dir).exists():
        return None
    try:
        from jupyter_cache import get_cache
        from myst_nb.core.read import read_myst_markdown_notebook

        notebook = read_myst_markdown_notebook(Path(source).read_text(encoding="utf-8"))
        _, merged = get_cache(str(cache_dir)).merge_match_into_notebook(notebook)
        return merged
    except Exception:  # no cache record for this source: fall back to jupyter_execute
        return None


def _up_to_date(outputs, inputs):
    """Whether every output file exists and is newer than every input file that exists."""
    if not all(path.exists() for path in outputs):
        return False
    newest_input = max((path.stat().st_mtime for path in inputs if path.exists()), default=0)
    return min(path.stat().st_mtime for path in outputs) > newest_input


def write_notebooks(outdir, episodes, executed_dir, cache_dir=None):
    """Write both notebooks of every episode and the zip into ``outdir/notebooks``.

    ``episodes`` maps a docname (``episodes/01-introduction``) to its source path.
    Outputs come from the jupyter cache in ``cache_dir`` when it has the page,
    otherwise from myst-nb's executed notebook in ``executed_dir``. An episode
    whose two notebooks are newer than its source, its executed notebook and
    this module is skipped, so a rebuild after editing one page takes seconds.
    Returns the paths written.
    """
    target = Path(outdir) / NOTEBOOK_DIR
    target.mkdir(parents=True, exist_ok=True)
    written = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for docname, source in sorted(episodes.items()):
            executed_path = Path(executed_dir) / f"{docname}.ipynb"
            glue_path = Path(executed_dir) / f"{docname}.glue.json"
            learner_path, full_path = target / learner_name(docname), target / full_name(docname)
            inputs = [Path(source), executed_path, glue_path, Path(__file__)]
            if _up_to_date([learner_path, full_path], inputs):
                archive.writestr(f"parallel-python-notebooks/{learner_name(docname)}", learner_path.read_text(encoding="utf-8"))
                continue
            executed = _executed_from_cache(cache_dir, source)
            if executed is None and executed_path.exists():
                executed = nbformat.read(executed_path, as_version=4)
            glue = _read_json(glue_path)
            learner = nbformat.writes(make_notebook(source, learner=True))
            full = nbformat.writes(make_notebook(source, learner=False, executed=executed, glue=glue))
            for path, text in ((learner_path, learner), (full_path, full)):
                path.write_text(text, encoding="utf-8")
                written.append(path)
            archive.writestr(f"parallel-python-notebooks/{learner_name(docname)}", learner)
    zip_path = target / ZIP_NAME
    zip_path.write_bytes(buffer.getvalue())
    written.append(zip_path)
    return written
