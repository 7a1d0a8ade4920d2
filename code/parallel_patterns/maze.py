"""Solving a maze: one search, a race of searches, and the best of several.

A maze here is a grid of cells, each a wall (``#``) or open (`` ``), with a
start in the top-left corner and a goal in the bottom-right one. A solution is
a path: a list of ``(row, column)`` cells from start to goal, each open and
next to the one before (up, down, left or right).

:func:`generate` carves a *perfect* maze (exactly one path between any two
cells) and then knocks down a fraction ``loops`` of the remaining inner walls
(10 % by default). The loops are what make the strategies differ: in a perfect
maze every search finds the same path, in a maze with loops a depth-first
search usually finds a longer one than breadth-first search, which always
finds a shortest one. With ``loops=0`` the maze is perfect.

The searchers
-------------
Searcher number 0 is breadth-first search (BFS): it looks at cells in order
of their distance from the start, so the path it finds is a shortest one.
Searcher number ``k >= 1`` is depth-first search (DFS) that tries the
neighbours of each cell in a random order drawn from seed ``k``: it runs down
one corridor as far as it can before backing up, so it may reach the goal
after looking at far fewer cells than BFS, or far more, and along a longer
path. Every searcher checks a ``stop`` flag every ``POLL_EVERY`` steps and
gives up when it is set.

The strategies
--------------
``serial``     BFS, in this process: a shortest path.
``race``       ``workers`` processes run searchers 0, 1, ..., ``workers - 1``
               at once; the first path found wins, and a shared flag
               (``multiprocessing.Event``) tells the others to stop. Fast, but
               *which* path comes back depends on who wins: it is a valid path,
               not always a shortest one (with ``loops=0`` it is the only one).
``best_of_n``  ``max(workers, BEST_OF_N)`` searchers run in a pool of
               ``workers`` processes; when all have finished, the shortest path
               wins (the lowest searcher number among equals). BFS is one of
               them, so the winner is always BFS's path: the same as
               ``serial``. Best-of-N pays off when no single search is known
               to be best (random restarts, heuristics); its price is waiting
               for the slowest searcher.

So ``serial`` and ``best_of_n`` are *shortest-path* strategies and agree on
the path; ``race`` agrees only on being a valid path.
"""

import collections
import concurrent.futures
import contextlib
import dataclasses
import itertools
import random

from parallel_patterns._context import mp_context
from parallel_patterns._validate import check_int, check_nonnegative_number, check_positive_int, check_workers

WALL, OPEN = "#", " "
STEPS = ((-1, 0), (1, 0), (0, -1), (0, 1))  # up, down, left, right
POLL_EVERY = 1000  # steps between two looks at the stop flag
BEST_OF_N = 4  # searchers best_of_n runs at least
RESULT_TIMEOUT = 600  # seconds to wait for any one search before giving up
JOIN_TIMEOUT = 10  # seconds a stopped racer gets to exit before it is terminated
DEFAULT_SIZE = 400  # rooms across and down in the benchmark's maze


@dataclasses.dataclass(frozen=True)
class Maze:
    """A grid of walls (``#``) and open cells (`` ``), with a start and a goal cell."""

    rows: tuple
    start: tuple
    goal: tuple

    def __post_init__(self):
        rows = tuple(self.rows)
        if not rows or not all(isinstance(row, str) for row in rows):
            raise TypeError("rows must be a non-empty sequence of strings")
        if len({len(row) for row in rows}) != 1 or not rows[0]:
            raise ValueError("rows must all have the same, non-zero length")
        if set("".join(rows)) - {WALL, OPEN}:
            raise ValueError(f"rows may hold only {WALL!r} and {OPEN!r}")
        object.__setattr__(self, "rows", rows)
        for name in ("start", "goal"):
            cell = getattr(self, name)
            if not (isinstance(cell, tuple) and len(cell) == 2 and self.is_open(cell)):
                raise ValueError(f"{name} must be an open cell (row, column), got {cell!r}")

    @property
    def height(self):
        return len(self.rows)

    @property
    def width(self):
        return len(self.rows[0])

    def is_open(self, cell):
        """True if ``cell`` is inside the grid and not a wall."""
        row, column = cell
        return 0 <= row < self.height and 0 <= column < self.width and self.rows[row][column] != WALL

    def neighbours(self, cell):
        """The open cells next to ``cell``: up, down, left, right."""
        row, column = cell
        return [(row + dr, column + dc) for dr, dc in STEPS if self.is_open((row + dr, column + dc))]


def generate(width, height, *, seed, loops=0.1):
    """A random maze of ``width`` x ``height`` rooms, the same for the same seed.

    Rooms sit on odd rows and columns of a grid of ``2 * height + 1`` rows and
    ``2 * width + 1`` columns; the cells between them are walls or doors. A
    randomized depth-first walk opens a door to every room (a perfect maze),
    then a fraction ``loops`` of the doors still shut is opened too.
    """
    width = check_positive_int("width", width)
    height = check_positive_int("height", height)
    seed = check_int("seed", seed)
    loops = check_nonnegative_number("loops", loops)
    if loops > 1:
        raise ValueError(f"loops must be a fraction between 0 and 1, got {loops!r}")
    rng = random.Random(seed)
    grid = [[WALL] * (2 * width + 1) for _ in range(2 * height + 1)]
    grid[1][1] = OPEN
    visited, trail = {(0, 0)}, [(0, 0)]
    while trail:  # the walk: go to a random unvisited neighbour room, or back up
        r, c = trail[-1]
        unvisited = [
            (r + dr, c + dc)
            for dr, dc in STEPS
            if 0 <= r + dr < height and 0 <= c + dc < width and (r + dr, c + dc) not in visited
        ]
        if not unvisited:
            trail.pop()
            continue
        nr, nc = rng.choice(unvisited)
        grid[r + nr + 1][c + nc + 1] = OPEN  # the door between the two rooms
        grid[2 * nr + 1][2 * nc + 1] = OPEN
        visited.add((nr, nc))
        trail.append((nr, nc))
    shut_doors = [
        (i, j)
        for i in range(1, 2 * height)
        for j in range(1, 2 * width)
        if (i + j) % 2 == 1 and grid[i][j] == WALL
    ]
    for i, j in rng.sample(shut_doors, round(loops * len(shut_doors))):
        grid[i][j] = OPEN
    return Maze(tuple("".join(row) for row in grid), (1, 1), (2 * height - 1, 2 * width - 1))


# -- Searching -------------------------------------------------------------------


def path_to(cell, came_from):
    """Follow ``came_from`` links back from ``cell`` to the start; return the path start first."""
    path = []
    while cell is not None:
        path.append(cell)
        cell = came_from[cell]
    return path[::-1]


def breadth_first(maze, stop=None):
    """A shortest path, or None if there is none or ``stop`` was set."""
    came_from = {maze.start: None}
    queue = collections.deque([maze.start])
    for steps in itertools.count():
        if not queue:
            return None
        if stop is not None and steps % POLL_EVERY == 0 and stop.is_set():
            return None
        cell = queue.popleft()
        if cell == maze.goal:
            return path_to(cell, came_from)
        for neighbour in maze.neighbours(cell):
            if neighbour not in came_from:
                came_from[neighbour] = cell
                queue.append(neighbour)


def depth_first(maze, seed, stop=None):
    """A path found by trying neighbours in a random order (from ``seed``), or None."""
    rng = random.Random(seed)
    came_from = {}
    stack = [(maze.start, None)]  # (cell, the cell we reached it from)
    for steps in itertools.count():
        if not stack:
            return None
        if stop is not None and steps % POLL_EVERY == 0 and stop.is_set():
            return None
        cell, parent = stack.pop()
        if cell in came_from:
            continue
        came_from[cell] = parent
        if cell == maze.goal:
            return path_to(cell, came_from)
        neighbours = [n for n in maze.neighbours(cell) if n not in came_from]
        rng.shuffle(neighbours)
        stack.extend((n, cell) for n in neighbours)


def run_searcher(maze, number, stop=None):
    """Searcher ``number``: 0 is breadth-first, ``k >= 1`` depth-first with seed ``k``."""
    if number == 0:
        return breadth_first(maze, stop)
    return depth_first(maze, number, stop)


def race_searcher(maze, number, stop, reports):
    """Run one searcher in a racing process; report ``(number, path or None)`` exactly once."""
    reports.put((number, run_searcher(maze, number, stop)))


# -- The strategies ------------------------------------------------------------


def check_arguments(maze, workers):
    """Validate what every strategy takes."""
    if not isinstance(maze, Maze):
        raise TypeError(f"maze must be a Maze (see generate()), got {type(maze).__name__}")
    return maze, check_workers(workers)


def no_path(maze):
    return ValueError(f"maze has no path from start {maze.start} to goal {maze.goal}")


def solve_serial(maze, *, workers=1):
    """Breadth-first search in this process: a shortest path (``workers`` is ignored)."""
    maze, workers = check_arguments(maze, workers)
    path = breadth_first(maze)
    if path is None:
        raise no_path(maze)
    return path


def solve_race(maze, *, workers=1):
    """Run ``workers`` different searchers at once.

    The first path found wins, the rest are stopped.
    """
    maze, workers = check_arguments(maze, workers)
    context = mp_context()
    stop = context.Event()  # shared by every racer; set means "give up"
    reports = context.Queue()
    racers = [
        context.Process(
            target=race_searcher,
            args=(maze, number, stop, reports),
            daemon=True,
        )
        for number in range(workers)
    ]
    winner = None
    try:
        for racer in racers:
            racer.start()
        # every racer reports once; reading every report leaves none blocked
        # on the queue
        for _ in racers:
            number, path = reports.get(timeout=RESULT_TIMEOUT)
            if path is not None and winner is None:
                winner = path
                stop.set()
    finally:
        stop.set()
        for racer in racers:
            racer.join(timeout=JOIN_TIMEOUT)
            if racer.is_alive():
                racer.terminate()
                racer.join()
    if winner is None:
        raise no_path(maze)
    return winner


def solve_best_of_n(maze, *, workers=1):
    """Run ``max(workers, BEST_OF_N)`` searchers in a pool; return the shortest path any found."""
    maze, workers = check_arguments(maze, workers)
    n = max(workers, BEST_OF_N)
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=mp_context()) as pool:
        paths = list(pool.map(run_searcher, itertools.repeat(maze, n), range(n), timeout=RESULT_TIMEOUT))
    found = [path for path in paths if path is not None]
    if not found:
        raise no_path(maze)
    return min(found, key=len)  # min keeps the first of equals: the lowest searcher number


IMPLEMENTATIONS = {
    "serial": solve_serial,
    "race": solve_race,
    "best_of_n": solve_best_of_n,
}


# -- Checking and showing ------------------------------------------------------


def is_valid_path(maze, path):
    """True if ``path`` goes from start to goal through open cells, one step at a time."""
    cells = [tuple(cell) for cell in path]
    if not cells or cells[0] != maze.start or cells[-1] != maze.goal:
        return False
    if not all(maze.is_open(cell) for cell in cells):
        return False
    return all(abs(r1 - r2) + abs(c1 - c2) == 1 for (r1, c1), (r2, c2) in zip(cells, cells[1:]))


def render(maze, path=()):
    """The maze as text: ``#`` walls, ``S`` start, ``G`` goal, ``.`` the path."""
    if not isinstance(maze, Maze):
        raise TypeError(f"maze must be a Maze, got {type(maze).__name__}")
    marks = {tuple(cell): "." for cell in path}
    marks[maze.start], marks[maze.goal] = "S", "G"
    return "\n".join(
        "".join(marks.get((r, c), char) for c, char in enumerate(row)) for r, row in enumerate(maze.rows)
    )


def to_array(maze, path=()):
    """The maze as a NumPy array for ``plt.imshow``: 0 wall, 1 open, 2 path."""
    import numpy as np  # here, so worker processes that import this module do not pay for NumPy

    if not isinstance(maze, Maze):
        raise TypeError(f"maze must be a Maze, got {type(maze).__name__}")
    picture = np.array([[char != WALL for char in row] for row in maze.rows], dtype=np.uint8)
    for row, column in path:
        picture[row, column] = 2
    return picture


@contextlib.contextmanager
def benchmark_case(size):
    """A maze of ``size`` x ``size`` rooms (with loops), made once for every strategy to solve."""
    size = check_positive_int("size", size)
    yield (generate(size, size, seed=0),), {}
