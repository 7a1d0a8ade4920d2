"""Crawl a local test site with asyncio, the way a script does it.

A script starts its event loop with asyncio.run(main()). Run it from a
terminal:

    python code/scripts/crawl_site.py --pages 30 --workers 10
"""

import argparse
import asyncio
import collections
import time

from parallel_patterns.crawler import crawl_async
from parallel_patterns.helpers.testsite import ALL_FAULTS, TestSite


async def main(pages, workers):
    with TestSite(
        pages, latency=0.05, faults=ALL_FAULTS, slow_delay=1.0
    ) as site:
        started = time.perf_counter()
        result = await crawl_async(site.url, timeout=0.5, workers=workers)
        seconds = time.perf_counter() - started
    print(f"{len(result)} URLs in {seconds:.2f} s with {workers} tasks")
    print("results:", dict(collections.Counter(result.values())))


# A script has no event loop yet: asyncio.run starts one, and closes it.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--workers", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.pages, args.workers))
