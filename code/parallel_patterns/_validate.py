"""Argument checks shared by every workload.

Each check raises ``TypeError`` for a value of the wrong type and ``ValueError``
for a value of the right type but out of range, with a message that names the
argument, so a learner who passes ``workers=0`` is told exactly that.
"""

import numbers


def check_int(name, value, *, minimum=None):
    """Return ``value`` if it is an integer (not a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def check_positive_int(name, value):
    """Return ``value`` if it is an integer >= 1."""
    return check_int(name, value, minimum=1)


def check_workers(workers):
    """Return ``workers`` if it is a usable number of workers (an integer >= 1)."""
    return check_int("workers", workers, minimum=1)


def check_positive_number(name, value):
    """Return ``value`` as a float if it is a real number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)


def check_nonnegative_number(name, value):
    """Return ``value`` as a float if it is a real number >= 0 (a delay, a fraction)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not value >= 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return float(value)
