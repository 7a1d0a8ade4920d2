"""Edit distance: dynamic programming top-down, bottom-up, and as a parallel wavefront.

The edit distance of two strings is the smallest number of single-character
insertions, deletions and substitutions that turn one into the other
("kitten" to "sitting": 3). With ``D[i][j]`` the distance between the first
``i`` characters of ``a`` and the first ``j`` of ``b``::

    D[i][0] = i,  D[0][j] = j
    D[i][j] = min(D[i-1][j] + 1,                        # delete a[i-1]
                  D[i][j-1] + 1,                        # insert b[j-1]
                  D[i-1][j-1] + (a[i-1] != b[j-1]))     # keep or substitute

The recursion reaches the same ``(i, j)`` again and again; remembering each
answer (memoization, top-down) or filling the table in an order where the
three neighbours are always ready (bottom-up) computes each cell once.

Which cells can be computed at the same time? Cell ``(i, j)`` needs its
neighbours above, to the left and diagonally above-left, all on the
anti-diagonal ``i + j - 1`` or ``i + j - 2``. So all cells of one
anti-diagonal (equal ``i + j``) are independent: a *wavefront* sweeps the
table one anti-diagonal at a time. One cell is far too little work to hand
to a thread, so :func:`distance_wavefront` cuts the table into blocks and
sweeps the anti-diagonals of *blocks*: the blocks of one block anti-diagonal
are computed in parallel by numba's ``prange``, each block row by row.

The strategies (``IMPLEMENTATIONS``; each takes ``(a, b, *, workers=1)`` and
returns the same int):
``serial``     the bottom-up table in pure Python, row by row.
``memo``       the recursion, top-down, with ``functools.cache``; its depth
               is ``len(a) + len(b)``, so it refuses strings longer than
               ``MAX_MEMO_LENGTH`` together.
``numba``      the bottom-up table compiled by numba, keeping two rows (the
               wavefront's block kernel run on one block: the whole table).
``wavefront``  blocks on each block anti-diagonal computed by ``workers``
               numba threads.
"""

import functools

import numba
import numpy as np

from parallel_patterns._validate import check_int, check_positive_int, check_workers

MAX_MEMO_LENGTH = 800  # len(a) + len(b) for the recursive version: Python's recursion limit is 1000
DEFAULT_BLOCKS = 12  # the wavefront cuts each string into this many pieces (fewer for short strings)


def check_strings(a, b):
    """Raise TypeError unless ``a`` and ``b`` are both str."""
    for name, value in (("a", a), ("b", b)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {type(value).__name__}")


# -- Top-down: the recursion, memoized ---------------------------------------------


def distance_memo(a, b, *, workers=1):
    """The recursion of the module docstring, with a cache.

    Each ``(i, j)`` is computed once thanks to the cache.
    """
    check_strings(a, b)
    check_workers(workers)
    if len(a) + len(b) > MAX_MEMO_LENGTH:
        raise ValueError(
            f"the recursion would nest len(a) + len(b) = {len(a) + len(b)} "
            f"calls deep, more than {MAX_MEMO_LENGTH}; use the bottom-up "
            f"table (distance_table) for long strings"
        )

    @functools.cache
    def d(i, j):
        if i == 0 or j == 0:
            return i + j
        return min(
            d(i - 1, j) + 1,
            d(i, j - 1) + 1,
            d(i - 1, j - 1) + (a[i - 1] != b[j - 1]),
        )

    return d(len(a), len(b))


# -- Bottom-up: the table ------------------------------------------------------------


def edit_table(a, b):
    """The whole table ``D`` as a list of rows: ``D[i][j]`` for the prefixes ``a[:i]`` and ``b[:j]``."""
    check_strings(a, b)
    table = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i]
        for j in range(1, len(b) + 1):
            row.append(min(table[i - 1][j] + 1, row[j - 1] + 1, table[i - 1][j - 1] + (a[i - 1] != b[j - 1])))
        table.append(row)
    return table


def distance_table(a, b, *, workers=1):
    """The bottom-up table in pure Python; the answer is its last cell."""
    check_workers(workers)
    return edit_table(a, b)[-1][-1]


def codes(text):
    """The characters of ``text`` as an array of integers (their Unicode code points)."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int32)


def distance_rows(a, b, *, workers=1):
    """The bottom-up table compiled by numba, row by row, keeping only two rows at a time.

    It runs the wavefront's block kernel on one block, the whole table: the
    serial baseline and the parallel version share their inner loop.
    """
    check_strings(a, b)
    check_workers(workers)
    if not a or not b:
        return len(a) + len(b)
    x, y = codes(a), codes(b)
    top = np.arange(len(y) + 1, dtype=np.int32)
    left = np.arange(len(x) + 1, dtype=np.int32)
    bottom, right = np.empty_like(top), np.empty_like(left)
    _block(x, y, 0, len(x), 0, len(y), top, left, bottom, right)
    return int(bottom[len(y)])


# -- The wavefront: anti-diagonals of blocks in parallel --------------------------------


def block_bounds(length, blocks):
    """Where ``blocks`` nearly equal pieces of ``range(length)`` start and end: ``blocks + 1`` ints."""
    return np.linspace(0, length, blocks + 1).astype(np.int64)


@numba.njit(cache=True)
def _block(x, y, i0, i1, j0, j1, top, left, bottom, right):
    """Rows i0+1..i1, columns j0+1..j1 of D, from the row above (``top[j0..j1]``) and the column
    to the left (``left[i0+1..i1]``); writes its last row into ``bottom`` and last column into ``right``."""
    width = j1 - j0
    y_part = y[j0:j1]
    previous = top[j0 : j1 + 1].copy()
    current = np.empty_like(previous)
    for i in range(i0 + 1, i1 + 1):
        x_letter = x[i - 1]
        current[0] = left[i]
        for k in range(1, width + 1):
            best = previous[k - 1] + (x_letter != y_part[k - 1])  # keep or substitute
            if previous[k] + 1 < best:  # delete
                best = previous[k] + 1
            if current[k - 1] + 1 < best:  # insert
                best = current[k - 1] + 1
            current[k] = best
        right[i] = current[width]
        previous, current = current, previous
    bottom[j0 + 1 : j1 + 1] = previous[1:]


@numba.njit(parallel=True, cache=True)
def _wavefront(x, y, row_bounds, col_bounds):
    n_row_blocks, n_col_blocks = len(row_bounds) - 1, len(col_bounds) - 1
    # rows[I] holds D's row row_bounds[I] (the bottom edge of block row I - 1),
    # all columns; cols[J] holds D's column col_bounds[J], all rows. Blocks of
    # one anti-diagonal write disjoint pieces of them, and read only pieces
    # written on earlier anti-diagonals.
    rows = np.empty((n_row_blocks + 1, len(y) + 1), dtype=np.int32)
    cols = np.empty((n_col_blocks + 1, len(x) + 1), dtype=np.int32)
    rows[0, :] = np.arange(len(y) + 1)
    cols[0, :] = np.arange(len(x) + 1)
    for I in range(1, n_row_blocks + 1):
        rows[I, 0] = row_bounds[I]
    for J in range(1, n_col_blocks + 1):
        cols[J, 0] = col_bounds[J]
    for diagonal in range(n_row_blocks + n_col_blocks - 1):
        first = max(0, diagonal - n_col_blocks + 1)
        last = min(diagonal, n_row_blocks - 1)
        # the blocks of this anti-diagonal: independent
        for I in numba.prange(first, last + 1):
            J = diagonal - I
            _block(
                x, y, row_bounds[I], row_bounds[I + 1],
                col_bounds[J], col_bounds[J + 1],
                rows[I], cols[J], rows[I + 1], cols[J + 1],
            )
    return rows[n_row_blocks, len(y)]


def distance_wavefront(a, b, *, workers=1, blocks=DEFAULT_BLOCKS):
    """The table in ``blocks`` × ``blocks`` blocks, each block anti-diagonal in parallel on ``workers`` threads."""
    from parallel_patterns.helpers.numba_examples import numba_threads  # numba's thread count for this call only

    check_strings(a, b)
    blocks = check_positive_int("blocks", blocks)
    if not a or not b:
        return len(a) + len(b)
    row_bounds = block_bounds(len(a), min(blocks, len(a)))
    col_bounds = block_bounds(len(b), min(blocks, len(b)))
    with numba_threads(workers):
        return int(_wavefront(codes(a), codes(b), row_bounds, col_bounds))


IMPLEMENTATIONS = {
    "serial": distance_table,
    "memo": distance_memo,
    "numba": distance_rows,
    "wavefront": distance_wavefront,
}


# -- Inputs and the dependency diagram ----------------------------------------------------


def random_strings(length, *, alphabet="ACGT", seed=0, mutation=0.2):
    """Two related random strings of ``length`` letters: the second is the first with about
    ``mutation`` of its letters substituted, deleted or followed by an insertion."""
    length = check_int("length", length, minimum=0)
    if not isinstance(alphabet, str) or not alphabet:
        raise ValueError("alphabet must be a non-empty str")
    rng = np.random.default_rng(seed)
    letters = np.array(list(alphabet))
    first = "".join(rng.choice(letters, size=length))
    second = []
    for char in first:
        change = rng.random()
        if change < mutation / 3:
            second.append(str(rng.choice(letters)))  # substitute
        elif change < 2 * mutation / 3:
            continue  # delete
        else:
            second.append(char)
            if change < mutation:
                second.append(str(rng.choice(letters)))  # insert
    return first, "".join(second)


def dependency_dot(a, b):
    """A Graphviz DOT drawing of the table of ``a`` and ``b``: one box per cell, an arrow from each
    cell to the cells that need it, and each anti-diagonal on one level, labelled "step k"."""
    table = edit_table(a, b)
    lines = [
        "digraph table {",
        '  graph [rankdir=TB, nodesep=0.25, ranksep=0.35, fontname="sans"];',
        '  node [shape=box, fontname="sans", fontsize=11, width=0.9, style=filled];',
        '  edge [color="#555555", arrowsize=0.6];',
    ]
    steps = len(a) + len(b) + 1
    for k in range(steps):
        fill = "#e8e8e8" if k % 2 else "white"
        cells = [
            f'"{i},{j}" [label="D[{i},{j}] = {table[i][j]}\\n{a[i - 1] if i else "-"} / {b[j - 1] if j else "-"}", '
            f'fillcolor="{fill}"];'
            for i in range(len(a) + 1)
            for j in range(len(b) + 1)
            if i + j == k
        ]
        lines.append(f'  "step {k}" [shape=plaintext, style="", label="step {k}"];')
        lines.append(f'  {{ rank=same; "step {k}"; {" ".join(cells)} }}')
        if k:
            lines.append(f'  "step {k - 1}" -> "step {k}" [style=invis];')
    for i in range(len(a) + 1):
        for j in range(len(b) + 1):
            for di, dj in ((1, 0), (0, 1), (1, 1)):
                if i + di <= len(a) and j + dj <= len(b):
                    lines.append(f'  "{i},{j}" -> "{i + di},{j + dj}";')
    lines.append("}")
    return "\n".join(lines)
