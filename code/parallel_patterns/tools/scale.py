"""Problem sizes that grow with the machine: ``LESSON_SCALE``.

The site is built on a 2-core machine, so the episodes' default problem sizes
are small enough to run there in seconds. On a bigger machine, set the
environment variable ``LESSON_SCALE`` (say ``LESSON_SCALE=8 make book``) and
every size passed through :func:`scaled` grows by that factor, so the parallel
parts have enough work to keep more cores busy.
"""

import os

from parallel_patterns._validate import check_positive_int

SCALE_ENV = "LESSON_SCALE"


def lesson_scale():
    """The factor from ``LESSON_SCALE``: a number > 0, 1 when unset."""
    raw = os.environ.get(SCALE_ENV, "1")
    try:
        factor = float(raw)
    except ValueError:
        raise ValueError(f"{SCALE_ENV} must be a number, got {raw!r}") from None
    if not factor > 0:
        raise ValueError(f"{SCALE_ENV} must be > 0, got {raw!r}")
    return factor


def scaled(size):
    """``size`` times the lesson scale, as a whole number of at least 1."""
    size = check_positive_int("size", size)
    return max(1, round(size * lesson_scale()))
