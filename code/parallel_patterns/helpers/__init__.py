"""Helpers of the episodes: the small functions a page calls and shows.

Unlike the workloads one level up, these modules have no ``IMPLEMENTATIONS``.
Each was written to make the points of one episode (or book page); a few are
used again later, named in parentheses below. ``tests/test_package_layout.py``
checks that this map names every module here.

==================  ==================================================
episode or page     modules
==================  ==================================================
1 introduction      ``basics``
2 measuring         ``profiling``, ``blas_probe``
3 threads           ``gil`` (which-tool page), ``races``,
                    ``processes`` (episode 10), ``freethreading``
4 map and futures   ``pool_tasks`` (episode 8), ``random_walks``
5 numba             ``numba_examples`` (episode 10, ``edit_distance``)
6 dask              ``dask_examples``
7 Snakemake         ``workflows`` (``sweep``, episode 14)
8 asyncio           ``testsite``, the local web site the ``crawler`` crawls
9 memoization       ``memo``, ``checkpoint_job``
11 distributed      ``cluster``, ``distributed_tasks``
12 task queues      ``taskqueue``, ``celery_tasks``
13 parallel data    ``parallel_data``
reference page      ``rosetta``
==================  ==================================================
"""
