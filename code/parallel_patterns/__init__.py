"""Reference implementations for the lesson "Parallel Programming in Python".

One module per workload (``pi``, ``primes``, ``mandelbrot``, ...). Each exposes
``IMPLEMENTATIONS``, a dict from a strategy name to a callable; every callable
of a module takes the same arguments and returns the same result as
``IMPLEMENTATIONS["serial"]``. The lesson's pages import these modules and show
their source, so what a reader sees is exactly what the tests check.
"""

__version__ = "0.1.0"
