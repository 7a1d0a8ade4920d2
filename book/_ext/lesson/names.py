"""Which notebook-level names a code cell reads and which it defines.

The hidden-name rule (every visible cell runs when copied, in order, into a
fresh notebook) needs, for each cell, the names it takes from the notebook's
namespace and the names it leaves there. ``cell_names(source)`` answers with an
AST walk that follows Python's scopes: function and lambda bodies, class
bodies, comprehensions (their loop variables stay inside), ``global``
declarations, augmented assignment (``x += 1`` reads ``x``), imports, ``for``
and ``with`` targets, ``except ... as``, the walrus operator and ``match``
captures. IPython syntax is turned into the Python it runs first: ``%timeit``
and ``%time`` lines and ``%%timeit``/``%%time`` cells keep their code,
``!cmd`` keeps the ``{expr}`` and ``$name`` it interpolates, ``x = !cmd`` and
``x = %magic`` define ``x``, and cells such as ``%%writefile``, ``%%bash`` or
``%%html`` hold no Python at all. Top-level ``await`` parses as is.
"""

import ast
import builtins
import re
from dataclasses import dataclass

# Names IPython puts into every notebook's namespace.
NOTEBOOK_BUILTINS = frozenset(dir(builtins)) | {
    "get_ipython", "display", "In", "Out", "exit", "quit", "_", "__", "___", "__name__", "__file__",
}
# Cell magics whose body is not Python run in the notebook's namespace.
NOT_PYTHON_CELL_MAGICS = {
    "writefile", "file", "bash", "sh", "script", "html", "HTML", "javascript", "js", "latex",
    "markdown", "svg", "perl", "ruby", "sx", "system", "cmd", "powershell", "pypy", "python2", "python3",
}
# Cell magics whose body runs as Python but whose assignments do not persist.
SCRATCH_CELL_MAGICS = {"timeit", "prun"}
# Line magics whose argument is Python code.
CODE_LINE_MAGICS = {"time", "timeit", "prun"}
_TIMEIT_OPTIONS = re.compile(r"^(\s*-(?:[nrpt]\s*\S+|[oqc]))+\s*")
_SHELL_EXPR = re.compile(r"\{([^{}]+)\}|\$(\w+)")


@dataclass(frozen=True)
class CellNames:
    reads: frozenset
    defines: frozenset


def _shell_reads(command):
    names = []
    for expr, name in _SHELL_EXPR.findall(command):
        names.append(expr if expr else name)
    return names


def to_python(source):
    """``source`` with IPython syntax replaced by Python that reads the same names.

    Returns ``(python, persists)``: ``persists`` is false for a cell whose
    assignments do not stay in the namespace (``%%timeit``); ``python`` is
    empty for a cell that holds no Python (``%%writefile``).
    """
    lines = source.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("%%"):
        magic, _, rest = first.strip()[2:].partition(" ")
        body = lines[lines.index(first) + 1 :]
        if magic in NOT_PYTHON_CELL_MAGICS:
            return "", True
        if magic in ("capture",):
            target = rest.split()[-1:] if rest.strip() and not rest.strip().startswith("-") else []
            return "\n".join([*(f"{t} = None" for t in target), *body]), True
        setup = _TIMEIT_OPTIONS.sub("", rest) if magic in SCRATCH_CELL_MAGICS else ""
        code = "\n".join(([setup] if setup.strip() else []) + body)
        return to_python(code)[0], magic not in SCRATCH_CELL_MAGICS
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        assigned = re.match(r"^([\w.,\s\[\]()]+?)\s*=\s*([%!].*)$", stripped)
        target = None
        if assigned and not stripped.startswith(("%", "!")):
            target, stripped = assigned.group(1), assigned.group(2)
        if stripped.startswith("!"):
            reads = _shell_reads(stripped[1:])
            code = ", ".join(f"({r})" for r in reads) or "None"
        elif stripped.startswith("%"):
            magic, _, rest = stripped.lstrip("%").partition(" ")
            if magic in CODE_LINE_MAGICS:
                code = _TIMEIT_OPTIONS.sub("", rest) if magic == "timeit" else rest
                if magic == "timeit" and target is None:
                    # %timeit runs its statement in a scratch namespace
                    out.append(f"{indent}(lambda: ({code}))" if _is_expression(code) else f"{indent}def _t():\n{indent}    {code}")
                    continue
                code = code or "None"
            else:
                code = ", ".join(f"({r})" for r in _shell_reads(rest)) or "None"
        else:
            out.append(line)
            continue
        if target is not None:
            code = f"{target} = {code}" if _is_expression(code) else f"{code}\n{indent}{target} = None"
        out.append(indent + code)
    return "\n".join(out), True


def _is_expression(code):
    try:
        ast.parse(code, mode="eval")
    except SyntaxError:
        return False
    return True


class _Scope:
    def __init__(self, kind, parent=None):
        self.kind = kind  # module, function, class, comprehension
        self.parent = parent
        self.bound = set()
        self.globals = set()
        self.nonlocals = set()


class _Walker(ast.NodeVisitor):
    """Collects the module-level names a cell reads before binding, and binds."""

    def __init__(self):
        self.module = _Scope("module")
        self.scope = self.module
        self.reads = set()
        self.defines = set()
        self.deferred = []  # (scope, name) read inside a function: resolved at the end

    # binding and reading -------------------------------------------------
    def bind(self, name):
        scope = self.scope
        if scope.kind == "comprehension":
            # only the walrus reaches here from a comprehension: it binds outside
            while scope.kind == "comprehension":
                scope = scope.parent
        if name in scope.globals or scope is self.module:
            self.defines.add(name)
            self.module.bound.add(name)
        else:
            scope.bound.add(name)

    def read(self, name):
        scope = self.scope
        while scope is not self.module:
            if name in scope.globals:
                break
            if name in scope.bound and scope.kind != "class":
                return
            if scope.kind == "class" and scope is self.scope and name in scope.bound:
                return
            scope = scope.parent
        if self._inside_function():
            self.deferred.append(name)
        elif name not in self.module.bound:
            self.reads.add(name)

    def _inside_function(self):
        scope = self.scope
        while scope is not self.module:
            if scope.kind == "function":
                return True
            scope = scope.parent
        return False

    def bind_target(self, target):
        if isinstance(target, ast.Name):
            self.bind(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind_target(element)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value)
        else:  # attribute or subscript: reads the object
            self.visit(target)

    # statements ----------------------------------------------------------
    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self.read(node.id)
        elif isinstance(node.ctx, ast.Store):
            self.bind(node.id)
        else:
            self.read(node.id)

    def visit_Assign(self, node):
        self.visit(node.value)
        for target in node.targets:
            self.bind_target(target)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)
        if self.scope is self.module:
            self.visit(node.annotation)
        if node.value is not None or not isinstance(node.target, ast.Name):
            self.bind_target(node.target)

    def visit_AugAssign(self, node):
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.read(node.target.id)
            self.bind(node.target.id)
        else:
            self.visit(node.target)

    def visit_NamedExpr(self, node):
        self.visit(node.value)
        self.bind(node.target.id)

    def _for(self, node):
        self.visit(node.iter)
        self.bind_target(node.target)
        for statement in node.body + node.orelse:
            self.visit(statement)

    visit_For = visit_AsyncFor = _for

    def _with(self, node):
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self.bind_target(item.optional_vars)
        for statement in node.body:
            self.visit(statement)

    visit_With = visit_AsyncWith = _with

    def visit_ExceptHandler(self, node):
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.bind(node.name)
        for statement in node.body:
            self.visit(statement)

    def visit_Import(self, node):
        for alias in node.names:
            self.bind(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node):
        for alias in node.names:
            if alias.name != "*":
                self.bind(alias.asname or alias.name)

    def visit_Global(self, node):
        self.scope.globals.update(node.names)

    def visit_Nonlocal(self, node):
        self.scope.nonlocals.update(node.names)

    def visit_Delete(self, node):
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.read(target.id)
            else:
                self.visit(target)

    def _arguments(self, args):
        for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
            self.visit(default)

    def _arg_names(self, args):
        every = args.posonlyargs + args.args + args.kwonlyargs
        every += [a for a in (args.vararg, args.kwarg) if a is not None]
        return [a.arg for a in every], [a.annotation for a in every if a.annotation is not None]

    def _function(self, node):
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._arguments(node.args)
        names, annotations = self._arg_names(node.args)
        if self.scope is self.module:
            for annotation in annotations + ([node.returns] if node.returns else []):
                self.visit(annotation)
        self.bind(node.name)
        self._body(node.body, names)

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Lambda(self, node):
        self._arguments(node.args)
        names, _ = self._arg_names(node.args)
        self._body([node.body], names)

    def _body(self, body, params):
        scope = _Scope("function", self.scope)
        scope.bound.update(params)
        # A function's locals are every name it binds anywhere in its body.
        scope.globals.update(n for stmt in body for node in ast.walk(stmt) if isinstance(node, ast.Global) for n in node.names)
        scope.bound.update(_local_bindings(body) - scope.globals)
        outer, self.scope = self.scope, scope
        for statement in body:
            self.visit(statement)
        self.scope = outer

    def visit_ClassDef(self, node):
        for expression in node.decorator_list + node.bases + [k.value for k in node.keywords]:
            self.visit(expression)
        scope = _Scope("class", self.scope)
        outer, self.scope = self.scope, scope
        for statement in node.body:
            self.visit(statement)
        self.scope = outer
        self.bind(node.name)

    def _comprehension(self, node, parts):
        generators = node.generators
        self.visit(generators[0].iter)
        scope = _Scope("comprehension", self.scope)
        outer, self.scope = self.scope, scope
        for index, generator in enumerate(generators):
            if index:
                self.visit(generator.iter)
            for name in ast.walk(generator.target):
                if isinstance(name, ast.Name):
                    scope.bound.add(name.id)
            for condition in generator.ifs:
                self.visit(condition)
        for part in parts:
            self.visit(part)
        self.scope = outer

    def visit_ListComp(self, node):
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node):
        self._comprehension(node, [node.key, node.value])

    def visit_MatchAs(self, node):
        if node.pattern is not None:
            self.visit(node.pattern)
        if node.name:
            self.bind(node.name)

    def visit_MatchStar(self, node):
        if node.name:
            self.bind(node.name)

    def visit_MatchMapping(self, node):
        for key in node.keys:
            self.visit(key)
        for pattern in node.patterns:
            self.visit(pattern)
        if node.rest:
            self.bind(node.rest)


def _local_bindings(body):
    """Names a function body binds (not inside nested functions, classes or comprehensions)."""
    names = set()
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            # a walrus inside a comprehension binds in the function
            names.update(n.target.id for n in ast.walk(node) if isinstance(n, ast.NamedExpr))
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name.split(".")[0]) for a in node.names if a.name != "*")
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.NamedExpr):
            names.add(node.target.id)
        stack.extend(ast.iter_child_nodes(node))
    return names


def cell_names(source):
    """The names ``source`` (one notebook cell) reads from and defines in the notebook.

    Raises ``SyntaxError`` for a cell that is not Python after its IPython
    syntax is replaced.
    """
    python, persists = to_python(source)
    if not python.strip():
        return CellNames(frozenset(), frozenset())
    tree = ast.parse(python)
    walker = _Walker()
    for statement in tree.body:
        walker.visit(statement)
    reads = set(walker.reads)
    reads |= {name for name in walker.deferred if name not in walker.module.bound}
    reads -= NOTEBOOK_BUILTINS
    defines = walker.defines if persists else set()
    return CellNames(frozenset(reads), frozenset(defines))
