"""Figures that describe themselves: parallel_patterns.tools.alt_text and the task-graph descriptions."""

import base64

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from parallel_patterns.tools.alt_text import Described, described
from parallel_patterns.helpers.basics import (
    RECIPE,
    chunked_sum_tasks,
    critical_path,
    dependency_figure,
    dependency_graph,
    describe_dependency_graph,
    serial_time,
)


def test_recipe_description_names_the_critical_path_and_its_length():
    length, path = critical_path(RECIPE)
    text = describe_dependency_graph(RECIPE, path=path)
    assert text.startswith("Dependency diagram of 8 tasks")
    assert "Can start at once: wash rice (2 min), chop onions (5 min) and chop vegetables (8 min)." in text
    assert "simmer curry (20 min) waits for add spices and chop vegetables." in text
    assert (
        "The critical path, drawn thick and red: chop onions then fry onions then add spices "
        "then simmer curry then serve, 35 min of the 60 min of work in all." in text
    )


def test_chunked_sum_description():
    tasks = chunked_sum_tasks(12, 3)
    length, path = critical_path(tasks)
    text = describe_dependency_graph(tasks, path=path, unit="additions")
    assert "Can start at once: sum chunk 1 (3 additions), sum chunk 2 (3 additions) and sum chunk 3 (3 additions)." in text
    assert "add partial sums (2 additions) waits for sum chunk 1, sum chunk 2 and sum chunk 3." in text
    assert "5 additions of the 11 additions of work in all." in text
    assert text.endswith("sum chunk 2 and sum chunk 3 lie on chains just as long.")
    # The recipe has one longest chain: nothing to add.
    assert describe_dependency_graph(RECIPE, path=critical_path(RECIPE)[1]).endswith("of work in all.")


def test_a_chain_that_is_not_critical_is_not_called_critical():
    text = describe_dependency_graph(RECIPE, path=["wash rice", "cook rice", "serve"])
    assert "The marked chain, drawn thick and red: wash rice then cook rice then serve, 19 min" in text
    assert "critical path" not in text
    assert "No task waits" in describe_dependency_graph({"a": (1, []), "b": (2, [])})


def test_paths_that_are_not_chains_are_refused():
    with pytest.raises(ValueError, match="unknown task 'boil'"):
        describe_dependency_graph(RECIPE, path=["boil"])
    with pytest.raises(ValueError, match="not a chain"):
        dependency_graph(RECIPE, path=["wash rice", "serve"])


def brute_force_longest_through(tasks, name):
    """The longest chain of dependencies that passes through ``name``: slow, obviously right."""

    def longest_to(task):  # ending with task
        return tasks[task][0] + max((longest_to(d) for d in tasks[task][1]), default=0)

    def longest_from(task):  # starting with task
        return tasks[task][0] + max((longest_from(o) for o in tasks if task in tasks[o][1]), default=0)

    return longest_to(name) + longest_from(name) - tasks[name][0]


@st.composite
def task_graphs(draw):
    n = draw(st.integers(1, 7))
    tasks = {}
    for i in range(n):
        deps = draw(st.lists(st.sampled_from(list(tasks)), unique=True)) if tasks else []
        tasks[f"t{i}"] = (draw(st.integers(0, 20)), deps)
    return tasks


@settings(max_examples=50)
@given(task_graphs())
def test_description_and_drawing_come_from_the_same_graph(tasks):
    length, path = critical_path(tasks)
    text = describe_dependency_graph(tasks, path=path)
    source = dependency_graph(tasks, path=path).source
    for name, (duration, _) in tasks.items():
        assert f"{name} ({duration} min)" in text
    # The tasks named as lying on chains as long as the critical path are exactly those that do.
    expected = {name for name in tasks if name not in path and brute_force_longest_through(tasks, name) == length}
    named = set()
    if "just as long" in text:
        tail = text.rsplit("of work in all. ", 1)[1]
        tail = tail.removesuffix(" lies on chains just as long.").removesuffix(" lie on chains just as long.")
        named = set(tail.replace(" and ", ", ").split(", "))
    assert named == expected
    assert f"{length} min of the {serial_time(tasks)} min" in text
    # Every node and edge of the path is thick as well as red, and nothing else is.
    assert source.count("penwidth=3") == len(path) + len(path) - 1
    assert source.count("#b02a37") == source.count("penwidth=3")


def _img(bundle):
    return BeautifulSoup(bundle["text/html"], "html.parser").img


def test_dependency_figure_is_an_img_with_its_description():
    length, path = critical_path(RECIPE)
    figure = dependency_figure(RECIPE, path=path)
    bundle = figure._repr_mimebundle_()
    img = _img(bundle)
    assert img["alt"] == describe_dependency_graph(RECIPE, path=path)
    assert img["src"].startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(img["src"].split(",", 1)[1]).decode()
    assert "<svg" in svg and "simmer curry" in svg
    assert bundle["image/svg+xml"] == svg
    assert bundle["text/plain"] == str(figure) == img["alt"]


def test_matplotlib_figure_png_and_svg():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for fmt, mime, magic in (("png", "image/png", b"\x89PNG"), ("svg", "image/svg+xml", b"<?xml")):
        fig, ax = plt.subplots()
        ax.plot([1, 2, 4], [1, 1.8, 3.1], marker="o")
        figure = described(fig, "Line rising from 1 to 3.1 as workers go from 1 to 4.", format=fmt)
        assert not plt.fignum_exists(fig.number), "the figure was left open: Jupyter would show it twice"
        img = _img(figure._repr_mimebundle_())
        assert img["src"].startswith(f"data:{mime};base64,")
        assert base64.b64decode(img["src"].split(",", 1)[1]).startswith(magic)
        assert img["alt"] == "Line rising from 1 to 3.1 as workers go from 1 to 4."


def test_alt_text_is_escaped_and_checked():
    figure = described('<svg xmlns="http://www.w3.org/2000/svg"></svg>', 'A "quoted" <b>bold</b> & plain figure')
    assert _img(figure._repr_mimebundle_())["alt"] == 'A "quoted" <b>bold</b> & plain figure'
    svg = '<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    with pytest.raises(ValueError, match="file"):
        described(svg, "../_images/0123abcd.svg")
    with pytest.raises(ValueError, match="at least"):
        described(svg, "  ")
    with pytest.raises(TypeError, match="alt"):
        described(svg, None)
    with pytest.raises(TypeError, match="figure"):
        described(3, "A figure of the number three.")
    with pytest.raises(ValueError, match="format"):
        described(svg, "A figure in an unknown format.", format="gif")
    with pytest.raises(ValueError, match="mime_type"):
        Described(b"GIF89a", "image/gif", "A gif that is refused.")
