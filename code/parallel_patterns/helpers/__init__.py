"""Helpers of one episode each: the small functions a page calls and shows.

Unlike the workloads one level up, these modules have no ``IMPLEMENTATIONS``;
each exists to make one point of one episode (or of one book page).

==================  ==================================================
episode or page     modules
==================  ==================================================
1 introduction      ``basics``
2 measuring         ``profiling``, ``blas_probe``
3 threads           ``gil``, ``races``, ``processes``, ``freethreading``
4 map and futures   ``pool_tasks``, ``random_walks``
5 numba             ``numba_examples``
6 dask              ``dask_examples``
7 Snakemake         ``workflows``
8 asyncio           ``testsite`` (the local web site the crawler crawls)
9 memoization       ``memo``, ``checkpoint_job``
11 distributed      ``cluster``, ``distributed_tasks``
12 task queues      ``taskqueue``, ``celery_tasks``
13 parallel data    ``parallel_data``
reference page      ``rosetta``
==================  ==================================================
"""
