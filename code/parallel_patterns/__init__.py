"""Reference implementations for the lesson "Parallel Programming in Python".

The package holds three kinds of module:

- **Workloads**, at the top level (``pi``, ``primes``, ``mandelbrot``, ...).
  Each exposes ``IMPLEMENTATIONS``, a dict from a strategy name to a callable;
  every callable of a module takes the same arguments and returns the same
  result as ``IMPLEMENTATIONS["serial"]``. ``python -m
  parallel_patterns.tools.bench`` times them.
- **Tools** that serve every page, in ``parallel_patterns.tools``: the
  benchmark harness, the machine's stamp, problem sizes, the setup check.
- **Helpers** of the episodes, in ``parallel_patterns.helpers``: the small
  functions a page calls to make its points, each module written for one
  episode.

The lesson's pages import these modules and show their source, so what a
reader sees is exactly what the tests check. The two private modules,
``_context`` and ``_validate``, hold what every workload shares: how worker
processes start, and how arguments are checked.
"""

__version__ = "0.1.0"
