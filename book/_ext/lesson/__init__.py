"""The lesson's own Sphinx extension: what is specific to a Carpentries-style lesson.

- ``metadata``: episode front matter (minutes, questions, objectives, keypoints);
- ``boxes``: ``{episode-overview}`` and ``{episode-keypoints}`` made from it;
- ``challenges``: ``{timer} N`` countdowns, checked to add up to an episode's minutes;
- ``instructor``: ``{instructor-note}`` and the ``{instructor-notes}`` collection;
- ``pages``: ``{lesson-schedule}`` and ``{lesson-keypoints}``;
- ``notebooks``: each episode's learner and full notebook, written into the
  site at the end of the build, the download menu on each episode page, and
  ``{lesson-notebooks-zip}``, the link to a zip of all learner notebooks;
- ``names`` and ``conventions``: the checks the convention tests run.
- ``a11y``: repairs of other extensions' HTML that accessibility checks find.

Static files (``lesson.css``, ``lesson.js``) live in ``book/_static`` and are
added to every page here, so the site needs nothing from the network.
"""

import os
import shutil
from pathlib import Path

from sphinx.util import logging

from . import a11y, boxes, challenges, instructor, notebooks, pages
from .metadata import is_episode, write_digests

STATIC = Path(__file__).resolve().parents[2] / "_static"


def _init_env(app, env, docnames):
    for attr in ("lesson_boxes", "lesson_challenge_minutes", "lesson_instructor_notes"):
        if not hasattr(env, attr):
            setattr(env, attr, {})


def _write_digests(app):
    """Before Sphinx picks the pages to read again: refresh the episodes' metadata digests."""
    write_digests(app.srcdir, app.doctreedir)


def _purge(app, env, docname):
    for attr in ("lesson_boxes", "lesson_challenge_minutes", "lesson_instructor_notes"):
        getattr(env, attr, {}).pop(docname, None)


def _merge(app, env, docnames, other):
    for attr in ("lesson_boxes", "lesson_challenge_minutes", "lesson_instructor_notes"):
        mine = getattr(env, attr)
        theirs = getattr(other, attr, {})
        for docname in docnames:
            if docname in theirs:
                mine[docname] = theirs[docname]


def _check(app, env):
    boxes.check_every_episode_has_boxes(app, env)
    challenges.check_minutes_add_up(app, env)


def _add_static_path(app):
    app.config.html_static_path.append(str(STATIC))


def _refresh_static(app, exception):
    """Copy the lesson's CSS and JS again, even when no page was written.

    Sphinx copies static files only when it writes pages, so after an edit of
    ``lesson.css`` alone a cached build would keep serving the old file.
    """
    if exception is None and app.builder.format == "html":
        for source in STATIC.iterdir():
            shutil.copyfile(source, Path(app.outdir) / "_static" / source.name)


def _write_notebooks(app, exception):
    """Write the downloadable notebooks of every episode the build includes."""
    if exception is not None or app.builder.format != "html":
        return
    episodes = {d: app.env.doc2path(d) for d in app.env.found_docs if is_episode(d)}
    executed = Path(app.outdir).parent / "jupyter_execute"
    cache = app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache"
    written = notebooks.write_notebooks(app.outdir, episodes, executed, cache)
    logging.getLogger(__name__).info(f"lesson: wrote {len(written)} notebook downloads into {notebooks.NOTEBOOK_DIR}/")


def _in_execution_cache(app, text):
    """Whether myst-nb will take this page's outputs from the jupyter cache."""
    try:
        from jupyter_cache import get_cache
        from myst_nb.core.read import read_myst_markdown_notebook

        path = app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache"
        if not Path(path).exists():
            return False
        get_cache(str(path)).match_cache_notebook(read_myst_markdown_notebook(text))
        return True
    except Exception:  # no record (KeyError), or a cache we cannot read: the page runs
        return False


def _wait_for_free_cores(app, docname, source):
    """Before a page with code cells runs, wait (a while) for two free cores.

    The pages check their claims about speed, and the build machine now and then
    runs two processes no faster than one. Measuring in such a spell fails a
    claim that holds, so the build first waits until a quick probe
    (``parallel_patterns.tools.stamp.wait_for_free_cores``) sees the speedup, at most
    45 s a page and 5 minutes a build. Set ``LESSON_CORE_WAIT=0`` to skip it.
    """
    if os.environ.get("LESSON_CORE_WAIT", "1") == "0" or "{code-cell}" not in source[0]:
        return
    if _in_execution_cache(app, source[0]):
        return  # the page will not run: its outputs come from the cache
    from parallel_patterns.tools.stamp import usable_cores, wait_for_free_cores

    spent = getattr(app, "lesson_core_wait_seconds", 0.0)
    if usable_cores() < 2 or spent >= 300:
        return
    speedup, waited = wait_for_free_cores(patience=min(45.0, 300 - spent))
    app.lesson_core_wait_seconds = spent + waited
    if waited:
        logging.getLogger(__name__).info(
            f"lesson: waited {waited:.0f} s for two free cores before {docname} (probe speedup {speedup:.2f})"
        )


def setup(app):
    app.add_config_value("lesson_breaks", [], "env")
    app.add_config_value("lesson_day_start", "9:00", "env")
    app.add_directive("episode-overview", boxes.EpisodeOverview)
    app.add_directive("episode-keypoints", boxes.EpisodeKeypoints)
    app.add_node(
        challenges.challenge_timer,
        html=(challenges.visit_timer_html, None),
        latex=(challenges.visit_timer_text, None),
        text=(challenges.visit_timer_text, None),
    )
    app.add_directive("timer", challenges.TimerDirective)
    app.add_directive("instructor-note", instructor.InstructorNote)
    app.add_node(instructor.instructor_notes_list)
    app.add_directive("instructor-notes", instructor.InstructorNotesList)
    app.add_directive("lesson-schedule", pages.LessonSchedule)
    app.add_directive("lesson-keypoints", pages.LessonKeypoints)
    app.add_directive("lesson-notebooks-zip", pages.NotebooksZip)

    app.connect("builder-inited", _add_static_path)
    app.connect("builder-inited", _write_digests)
    app.connect("source-read", _wait_for_free_cores)
    app.connect("env-before-read-docs", _init_env)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-read", challenges.collect_challenges)
    app.connect("doctree-read", instructor.collect_notes)
    app.connect("doctree-resolved", instructor.fill_notes_lists)
    app.connect("doctree-resolved", a11y.number_repeated_ids)
    app.connect("env-check-consistency", _check)
    app.connect("build-finished", _refresh_static)
    app.connect("build-finished", _write_notebooks)
    app.add_css_file("lesson.css")
    # Loaded in <head> without defer so the instructor view is applied before the page paints.
    app.add_js_file("lesson.js")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
