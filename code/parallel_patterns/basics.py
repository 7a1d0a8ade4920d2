"""Small building blocks for the introduction: task graphs, Amdahl's law, a slow task.

A *task graph* here is a dict from a task's name to ``(duration, dependencies)``:
how long the task takes and which tasks must finish before it may start. The
same dict is drawn with Graphviz (:func:`dependency_graph`) and analysed
(:func:`critical_path`), so the picture and the numbers cannot disagree.
"""

import time

from ._validate import check_int, check_positive_int

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


def dependency_graph(tasks, *, path=(), unit="min"):
    """A ``graphviz.Digraph`` of a task graph, with the chain of tasks ``path`` in red."""
    import graphviz

    check_task_graph(tasks)
    red = {"penwidth": "2.5", "color": "#b02a37"}
    on_path = set(zip(path, path[1:]))
    graph = graphviz.Digraph(graph_attr={"rankdir": "LR"}, node_attr={"shape": "box", "style": "rounded"})
    for name, (duration, dependencies) in tasks.items():
        graph.node(name, f"{name}\n{duration} {unit}", **(red if name in path else {}))
        for dependency in dependencies:
            graph.edge(dependency, name, **(red if (dependency, name) in on_path else {}))
    return graph


def amdahl_speedup(parallel_fraction, workers):
    """Amdahl's law: the speedup on ``workers`` workers of a program whose
    ``parallel_fraction`` of the serial run time can be spread over them.

    The serial part ``1 - p`` takes as long as ever, so the speedup
    ``1 / ((1 - p) + p / n)`` never exceeds ``1 / (1 - p)``.
    """
    if not 0 <= parallel_fraction <= 1:
        raise ValueError(
            f"parallel_fraction must be between 0 and 1, got {parallel_fraction!r}"
        )
    workers = check_positive_int("workers", workers)
    return 1 / ((1 - parallel_fraction) + parallel_fraction / workers)


def slow_square(x, delay=0.5):
    """``x * x`` after ``delay`` seconds of waiting, like a slow web service."""
    check_int("x", x)
    time.sleep(delay)
    return x * x
