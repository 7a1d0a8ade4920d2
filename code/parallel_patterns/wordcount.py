"""Count the words of many texts: map-reduce.

Counting splits naturally in two steps. *Map*: count the words of each part of
the corpus on its own, giving one ``Counter`` per part. *Reduce*: add the
counters up. The map step is independent for every part, so workers can do it
in parallel; the reduce step is cheap if the parts are few and large. Unlike
the number-crunching workloads, the input here is big: every text has to
travel to the process that counts it, and that copying limits the speedup.

What a word is
--------------
A word is a maximal run of Unicode letters (characters ``c`` with
``c.isalpha()``), counted in ``str.casefold()`` form, so "Straße", "STRASSE"
and "strasse" are one word. The regular expression ``[^\\W\\d_]+`` ("word
characters that are neither digits nor underscores") finds such runs quickly
but is not quite the same: it also accepts characters like "²" or "½", which
are numeric but not decimal digits. ``words`` uses the regular expression for
speed and splits the rare run that is not all letters.

The strategies (the same ``count_words_in_texts`` on parts of the corpus):
``serial``     one ``Counter`` over all texts.
``processes``  a ``multiprocessing`` pool maps parts of the corpus to counters;
               the parent adds them up as they arrive.
``futures``    the same with ``concurrent.futures`` and ``as_completed``.
``joblib``     the same with ``joblib.Parallel``.
``dask``       a ``dask.bag`` of texts: ``reduction`` counts each partition and
               adds the partitions' counters, on dask's process scheduler.

Parts are ``PARTS_PER_WORKER`` per worker: a few each, so that a worker that
finishes early can take another, but not so many that sending them and adding
up their counters costs more than counting.
"""

import collections
import collections.abc
import concurrent.futures
import contextlib
import itertools
import re

import numpy as np

from parallel_patterns._context import mp_context, start_method
from parallel_patterns._validate import check_int, check_positive_int, check_workers

PARTS_PER_WORKER = 4
WORDS_PER_TEXT = 1000  # for the benchmark corpus
DEFAULT_SIZE = 5000  # texts of WORDS_PER_TEXT words: about 2 s for the serial strategy
TIMEOUT = 600  # seconds to wait for worker processes: longer means one was lost

_LETTER_RUN = re.compile(r"[^\W\d_]+")  # letters, plus a few numeric characters: see words()


def words(text):
    """Yield the words of ``text`` (maximal runs of letters), casefolded."""
    for run in _LETTER_RUN.findall(text):
        if run.isalpha():
            yield run.casefold()
        else:  # the run holds a numeric character such as "²": split around it
            for is_letter, characters in itertools.groupby(run, key=str.isalpha):
                if is_letter:
                    yield "".join(characters).casefold()


def count_words_in_texts(texts):
    """The map step: one ``Counter`` of the words in all of ``texts``."""
    counts = collections.Counter()
    for text in texts:
        counts.update(words(text))
    return counts


def add_counts(counters):
    """The reduce step: one ``Counter`` that is the sum of ``counters``."""
    total = collections.Counter()
    for counts in counters:
        total.update(counts)
    return total


def check_texts(texts):
    """Return ``texts`` as a list of strings, or raise."""
    if isinstance(texts, (str, bytes)) or not isinstance(texts, collections.abc.Iterable):
        raise TypeError(f"texts must be a sequence of strings, got {type(texts).__name__}")
    texts = list(texts)
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{index}] must be a string, got {type(text).__name__}")
    return texts


def split_into_parts(texts, n_parts):
    """Split the list ``texts`` into ``n_parts`` consecutive parts (fewer if texts is short)."""
    n_parts = max(1, min(n_parts, len(texts)))
    edges = [len(texts) * k // n_parts for k in range(n_parts + 1)]
    return [texts[start:stop] for start, stop in zip(edges[:-1], edges[1:])]


def wordcount_serial(texts, *, workers=1):
    """Count every text in turn."""
    texts, workers = check_texts(texts), check_workers(workers)
    return count_words_in_texts(texts)


def wordcount_processes(texts, *, workers=1):
    """Map parts of the corpus to counters in a process pool; reduce as they arrive."""
    texts, workers = check_texts(texts), check_workers(workers)
    parts = split_into_parts(texts, PARTS_PER_WORKER * workers)
    with mp_context().Pool(processes=workers) as pool:
        partial_counts = pool.imap_unordered(count_words_in_texts, parts)
        return add_counts(partial_counts.next(timeout=TIMEOUT) for _ in parts)


def wordcount_futures(texts, *, workers=1):
    """Submit one future per part; add each counter as its future completes."""
    texts, workers = check_texts(texts), check_workers(workers)
    parts = split_into_parts(texts, PARTS_PER_WORKER * workers)
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=mp_context()) as pool:
        futures = [pool.submit(count_words_in_texts, part) for part in parts]
        completed = concurrent.futures.as_completed(futures, timeout=TIMEOUT)
        return add_counts(future.result() for future in completed)


def wordcount_joblib(texts, *, workers=1):
    """Map parts to counters with ``joblib.Parallel``, then add them up.

    joblib gets the package's multiprocessing context as its backend, for the
    reasons :func:`parallel_patterns.primes.primes_joblib` gives.
    """
    from joblib import Parallel, delayed

    texts, workers = check_texts(texts), check_workers(workers)
    parts = split_into_parts(texts, PARTS_PER_WORKER * workers)
    timeout = TIMEOUT if workers > 1 else None
    parallel = Parallel(n_jobs=workers, backend=mp_context(), timeout=timeout)
    return add_counts(parallel(delayed(count_words_in_texts)(part) for part in parts))


def wordcount_dask(texts, *, workers=1):
    """A ``dask.bag`` of texts, counted per partition and reduced, in processes.
    """
    texts, workers = check_texts(texts), check_workers(workers)
    import dask
    import dask.bag

    if not texts:
        return collections.Counter()  # a bag needs at least one partition
    bag = dask.bag.from_sequence(texts, npartitions=PARTS_PER_WORKER * workers)
    counts = bag.reduction(count_words_in_texts, add_counts)
    with dask.config.set({"multiprocessing.context": start_method()}):
        (counts,) = dask.compute(
            counts, scheduler="processes", num_workers=workers
        )
    return counts


IMPLEMENTATIONS = {
    "serial": wordcount_serial,
    "processes": wordcount_processes,
    "futures": wordcount_futures,
    "joblib": wordcount_joblib,
    "dask": wordcount_dask,
}

# Material for generate_corpus: syllables (a few with accents, and "ß", whose
# casefold is "ss") and what may come between words.
SYLLABLES = (
    "ka ri to na mi lo se vu pe da ge lu bo fi ze ra ne ti mo ha "
    "ké rö sa ßa ny æl ço ün ja wi"
).split()
VOCABULARY_SIZE = 2000


def generate_corpus(n_texts, *, words_per_text=WORDS_PER_TEXT, seed=0):
    """A reproducible synthetic corpus: ``n_texts`` texts of ``words_per_text`` words.

    Words are made of random syllables and drawn with Zipf-like frequencies (the
    k-th most common word is about k times rarer than the most common), like
    natural language. Sentences start with a capital letter and end with a
    full stop; now and then a number appears, which is not a word. The same
    ``seed`` always gives the same corpus.
    """
    n_texts = check_int("n_texts", n_texts, minimum=0)
    words_per_text = check_int("words_per_text", words_per_text, minimum=0)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    vocabulary = [
        "".join(rng.choice(SYLLABLES, size=rng.integers(1, 5))) for _ in range(VOCABULARY_SIZE)
    ]
    frequency = 1.0 / np.arange(1, VOCABULARY_SIZE + 1)
    frequency /= frequency.sum()
    texts = []
    for _ in range(n_texts):
        picks = rng.choice(VOCABULARY_SIZE, size=words_per_text, p=frequency)
        text = [vocabulary[k] for k in picks.tolist()]
        if text:
            text[0] = text[0].capitalize()
        for i in np.flatnonzero(rng.random(words_per_text) < 0.1).tolist():
            text[i] += "."  # the end of a sentence: the next one starts with a capital
            if i + 1 < len(text):
                text[i + 1] = text[i + 1].capitalize()
        for i in np.flatnonzero(rng.random(words_per_text) < 0.02).tolist():
            text[i] += f" {rng.integers(1, 2000)}"
        texts.append(" ".join(text))
    return texts


@contextlib.contextmanager
def benchmark_case(size):
    """Arguments for one benchmark run: a corpus of ``size`` texts."""
    size = check_positive_int("size", size)
    yield (generate_corpus(size, words_per_text=WORDS_PER_TEXT, seed=0),), {}
