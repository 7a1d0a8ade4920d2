"""Small building blocks for the introduction: task graphs, Amdahl's law, a slow task.

A *task graph* here is a dict from a task's name to ``(duration, dependencies)``:
how long the task takes and which tasks must finish before it may start. The
same dict is drawn with Graphviz (:func:`dependency_graph`) and analysed
(:func:`critical_path`), so the picture and the numbers cannot disagree.
"""

import time

from parallel_patterns._validate import check_int, check_positive_int

# Cooking a vegetable curry with rice; durations in minutes.
RECIPE = {
    "wash rice": (2, []),
    "cook rice": (15, ["wash rice"]),
    "chop onions": (5, []),
    "chop vegetables": (8, []),
    "fry onions": (6, ["chop onions"]),
    "add spices": (2, ["fry onions"]),
    "simmer curry": (20, ["add spices", "chop vegetables"]),
    "serve": (2, ["cook rice", "simmer curry"]),
}


def check_task_graph(tasks):
    """Raise ValueError if a dependency is unknown or the graph has a cycle."""
    if not isinstance(tasks, dict) or not tasks:
        raise TypeError("tasks must be a non-empty dict of name -> (duration, dependencies)")
    for name, (duration, dependencies) in tasks.items():
        if duration < 0:
            raise ValueError(f"tasks[{name!r}] has a negative duration {duration!r}")
        for dependency in dependencies:
            if dependency not in tasks:
                raise ValueError(f"tasks[{name!r}] depends on unknown task {dependency!r}")
    _topological_order(tasks)


def _topological_order(tasks):
    order, state = [], {}  # state: 1 = being visited, 2 = done

    def visit(name, chain):
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ValueError(f"tasks contain a cycle: {' -> '.join(chain + [name])}")
        state[name] = 1
        for dependency in tasks[name][1]:
            visit(dependency, chain + [name])
        state[name] = 2
        order.append(name)

    for name in tasks:
        visit(name, [])
    return order


def serial_time(tasks):
    """How long one worker takes: every task, one after another."""
    check_task_graph(tasks)
    return sum(duration for duration, _ in tasks.values())


def critical_path(tasks):
    """The longest chain of dependent tasks, as ``(length, [task, ...])``.

    However many workers there are, the whole graph cannot finish sooner than
    this chain, because each of its tasks must wait for the one before.
    """
    check_task_graph(tasks)
    finish, came_from = {}, {}
    for name in _topological_order(tasks):
        duration, dependencies = tasks[name]
        start = max((finish[d] for d in dependencies), default=0)
        came_from[name] = max(dependencies, key=finish.get, default=None)
        finish[name] = start + duration
    last = max(finish, key=finish.get)
    path = [last]
    while came_from[path[-1]] is not None:
        path.append(came_from[path[-1]])
    return finish[last], path[::-1]


def chunked_sum_tasks(n_items, n_chunks):
    """The task graph of summing ``n_items`` numbers in ``n_chunks`` chunks.

    Durations count additions: a chunk of k numbers takes k - 1 of them, and
    adding the chunks' partial sums takes ``n_chunks - 1`` more.
    """
    n_items = check_positive_int("n_items", n_items)
    n_chunks = check_positive_int("n_chunks", n_chunks)
    if n_chunks > n_items:
        raise ValueError(f"n_chunks must be <= n_items ({n_items}), got {n_chunks}")
    sizes = [len(chunk) for chunk in split_evenly(range(n_items), n_chunks)]
    tasks = {f"sum chunk {i + 1}": (size - 1, []) for i, size in enumerate(sizes)}
    tasks["add partial sums"] = (n_chunks - 1, list(tasks))
    return tasks


def split_evenly(items, n_chunks):
    """Split a sequence into ``n_chunks`` contiguous chunks whose lengths differ by at most one."""
    n_chunks = check_positive_int("n_chunks", n_chunks)
    size, extra = divmod(len(items), n_chunks)
    chunks, start = [], 0
    for i in range(n_chunks):
        stop = start + size + (1 if i < extra else 0)
        chunks.append(items[start:stop])
        start = stop
    return chunks


# The critical path is drawn red *and* three times as thick, so it stands out
# without colour too (in grey-scale print, for colour-blind readers).
_PATH_STYLE = {"penwidth": "3", "color": "#b02a37"}


def _check_path(tasks, path):
    path = list(path)
    for name in path:
        if name not in tasks:
            raise ValueError(f"path names unknown task {name!r}")
    for before, after in zip(path, path[1:]):
        if before not in tasks[after][1]:
            raise ValueError(f"path is not a chain of dependencies: {after!r} does not depend on {before!r}")
    return path


def dependency_graph(tasks, *, path=(), unit="min"):
    """A ``graphviz.Digraph`` of a task graph, with the chain of tasks ``path``
    drawn thick and red (thick, so that it shows without colour too)."""
    import graphviz

    check_task_graph(tasks)
    path = _check_path(tasks, path)
    on_path = set(zip(path, path[1:]))
    graph = graphviz.Digraph(graph_attr={"rankdir": "LR"}, node_attr={"shape": "box", "style": "rounded"})
    for name, (duration, dependencies) in tasks.items():
        graph.node(name, f"{name}\n{duration} {unit}", **(_PATH_STYLE if name in path else {}))
        for dependency in dependencies:
            graph.edge(dependency, name, **(_PATH_STYLE if (dependency, name) in on_path else {}))
    return graph


def _names(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe_dependency_graph(tasks, *, path=(), unit="min"):
    """The alternative text of ``dependency_graph(tasks, path=path, unit=unit)``.

    Made from the same dict as the drawing: which tasks can start at once, what
    each other task waits for, and the marked chain with its length (called the
    critical path when it is one) against the total work.
    """
    check_task_graph(tasks)
    path = _check_path(tasks, path)
    order = _topological_order(tasks)

    def task(name):
        return f"{name} ({tasks[name][0]} {unit})"

    sentences = [
        f"Dependency diagram of {len(tasks)} tasks, read from left to right; "
        "an arrow leads from a task to each task that waits for it."
    ]
    starters = [name for name in order if not tasks[name][1]]
    if len(starters) == len(tasks):
        sentences.append(f"No task waits for another: {_names(map(task, starters))} can all run at once.")
    else:
        sentences.append(f"Can start at once: {_names(map(task, starters))}.")
        for name in order:
            if tasks[name][1]:
                sentences.append(f"{task(name)} waits for {_names(tasks[name][1])}.")
    if path:
        length = sum(tasks[name][0] for name in path)
        critical = length == critical_path(tasks)[0]
        kind = "The critical path" if critical else "The marked chain"
        sentences.append(
            f"{kind}, drawn thick and red: {' then '.join(path)}, {length} {unit} "
            f"of the {serial_time(tasks)} {unit} of work in all."
        )
        tied = [name for name in _on_critical_chains(tasks) if name not in path] if critical else []
        if tied:
            sentences.append(f"{_names(tied)} {'lies' if len(tied) == 1 else 'lie'} on chains just as long.")
    return " ".join(sentences)


def _on_critical_chains(tasks):
    """The tasks that lie on some longest chain, in topological order."""
    order = _topological_order(tasks)
    finish, after = {}, {}  # longest chain ending with / starting after a task
    for name in order:
        finish[name] = tasks[name][0] + max((finish[d] for d in tasks[name][1]), default=0)
    for name in reversed(order):
        waiting = [other for other in tasks if name in tasks[other][1]]
        after[name] = max((tasks[w][0] + after[w] for w in waiting), default=0)
    longest = max(finish.values())
    return [name for name in order if finish[name] + after[name] == longest]


def dependency_figure(tasks, *, path=(), unit="min"):
    """:func:`dependency_graph` with :func:`describe_dependency_graph` as its
    alternative text, ready to display (see :mod:`parallel_patterns.tools.alt_text`)."""
    from parallel_patterns.tools.alt_text import described

    return described(
        dependency_graph(tasks, path=path, unit=unit),
        describe_dependency_graph(tasks, path=path, unit=unit),
    )


def amdahl_speedup(parallel_fraction, workers):
    """Amdahl's law: the speedup on ``workers`` workers of a program whose
    ``parallel_fraction`` of the serial run time can be spread over them.

    The serial part ``1 - p`` takes as long as ever, so the speedup
    ``1 / ((1 - p) + p / n)`` never exceeds ``1 / (1 - p)``.
    """
    if not 0 <= parallel_fraction <= 1:
        raise ValueError(
            f"parallel_fraction must be between 0 and 1, "
            f"got {parallel_fraction!r}"
        )
    workers = check_positive_int("workers", workers)
    return 1 / ((1 - parallel_fraction) + parallel_fraction / workers)


def slow_square(x, delay=0.5):
    """``x * x`` after ``delay`` seconds of waiting, like a slow web service."""
    check_int("x", x)
    time.sleep(delay)
    return x * x
