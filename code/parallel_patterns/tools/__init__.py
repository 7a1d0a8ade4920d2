"""Tools that serve every page: timing, the machine's stamp, sizes, the setup check.

- ``bench``: run a workload's strategies at several worker counts; a table of
  time, speedup and efficiency (``python -m parallel_patterns.tools.bench``).
- ``stamp``: where a timing was measured, the cores a page may use, and
  measuring again when a busy machine spoiled a measurement.
- ``scale``: problem sizes that grow with ``LESSON_SCALE``.
- ``check``: the learner's setup check (``python -m parallel_patterns.tools.check``).
- ``alt_text``: figures that carry their own alternative text.
- ``extensions``: build the C and C++ extensions of episode 10.
"""
