"""Tests of parallel_patterns.wordcount: words are runs of letters, counted casefolded."""

import collections

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns import wordcount

PROCESS_STRATEGIES = {"processes", "futures", "joblib", "dask"}


def reference_count(texts):
    """The definition, character by character: an oracle independent of regexes."""
    counts = collections.Counter()
    for text in texts:
        word = ""
        for character in text + " ":  # a final non-letter ends the last word
            if character.isalpha():
                word += character
            elif word:
                counts[word.casefold()] += 1
                word = ""
    return counts


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), max_size=4))
def test_serial_counts_runs_of_letters_in_any_unicode_text(texts):
    assert wordcount.wordcount_serial(texts) == reference_count(texts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Straße STRASSE strasse", {"strasse": 3}),
        ("x²y ½a", {"x": 1, "y": 1, "a": 1}),  # ² and ½ are numeric, not letters
        ("snake_case and l'été", {"snake": 1, "case": 1, "and": 1, "l": 1, "été": 1}),
        ("abc123def 42", {"abc": 1, "def": 1}),
        ("Ⅻ ⅻ", {}),  # Roman numerals are numbers
        ("", {}),
    ],
)
def test_what_counts_as_a_word(text, expected):
    assert wordcount.wordcount_serial([text]) == collections.Counter(expected)


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("strategy", list(wordcount.IMPLEMENTATIONS))
def test_every_strategy_returns_the_serial_counter(strategy, workers):
    implementation = wordcount.IMPLEMENTATIONS[strategy]

    @settings(max_examples=2 if strategy in PROCESS_STRATEGIES else 20, deadline=None)
    @given(st.lists(st.text(), max_size=12))  # Hypothesis tries [] first
    def check(texts):
        assert implementation(texts, workers=workers) == wordcount.wordcount_serial(texts)

    check()


def test_every_strategy_counts_a_generated_corpus():
    texts = wordcount.generate_corpus(30, words_per_text=50, seed=3)
    expected = reference_count(texts)
    for implementation in wordcount.IMPLEMENTATIONS.values():
        assert implementation(texts, workers=2) == expected


def test_the_corpus_is_reproducible_and_sized_as_asked():
    corpus = wordcount.generate_corpus(20, words_per_text=40, seed=1)
    assert corpus == wordcount.generate_corpus(20, words_per_text=40, seed=1)
    assert corpus != wordcount.generate_corpus(20, words_per_text=40, seed=2)
    assert len(corpus) == 20
    counts = wordcount.wordcount_serial(corpus)
    assert sum(counts.values()) == 20 * 40  # numbers and full stops are not words
    assert any(character.isdigit() for text in corpus for character in text)
    assert any(character.isupper() for text in corpus for character in text)
    assert all(word == word.casefold() for word in counts)
    assert wordcount.generate_corpus(0, seed=1) == []


@pytest.mark.parametrize("strategy", list(wordcount.IMPLEMENTATIONS))
@pytest.mark.parametrize(
    ("texts", "workers", "error", "match"),
    [
        ("one text", 1, TypeError, "texts must be a sequence of strings"),
        (None, 1, TypeError, "texts must be a sequence of strings"),
        (["fine", b"bytes"], 1, TypeError, r"texts\[1\] must be a string"),
        (["fine"], 0, ValueError, "workers"),
    ],
)
def test_bad_arguments_are_named_in_the_error(strategy, texts, workers, error, match):
    with pytest.raises(error, match=match):
        wordcount.IMPLEMENTATIONS[strategy](texts, workers=workers)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_texts": -1}, ValueError, "n_texts"),
        ({"n_texts": 2, "words_per_text": 1.5}, TypeError, "words_per_text"),
        ({"n_texts": 2, "seed": -3}, ValueError, "seed"),
    ],
)
def test_generate_corpus_checks_its_arguments(kwargs, error, match):
    n_texts = kwargs.pop("n_texts")
    with pytest.raises(error, match=match):
        wordcount.generate_corpus(n_texts, **kwargs)


def test_benchmark_case_yields_a_corpus_and_checks_size():
    with wordcount.benchmark_case(3) as (args, kwargs):
        (texts,) = args
        assert len(texts) == 3
        assert sum(wordcount.wordcount_serial(*args, workers=1, **kwargs).values()) == (
            3 * wordcount.WORDS_PER_TEXT
        )
    with pytest.raises(ValueError, match="size"):
        with wordcount.benchmark_case(0):
            pass
