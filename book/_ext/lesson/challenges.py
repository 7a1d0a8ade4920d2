"""Timed challenges: a countdown button inside every exercise.

A challenge is a sphinx-exercise exercise whose body holds ``{timer} N``:
the page shows "N min" and a button that counts N minutes down (``lesson.js``).
At read time the extension checks that every exercise of an episode has exactly
one timer and a solution; once all pages are read it checks that an episode's
timers add up to the ``exercises`` minutes in its front matter.
"""

from docutils import nodes
from sphinx.util.docutils import SphinxDirective
from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node, solution_node

from .errors import LessonError
from .metadata import is_episode, load_episode


class challenge_timer(nodes.General, nodes.Element):
    """A countdown of ``minutes`` minutes."""


class TimerDirective(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self):
        try:
            minutes = int(self.arguments[0])
        except ValueError:
            minutes = 0
        if minutes <= 0:
            raise self.error(f"timer takes a whole number of minutes > 0, got {self.arguments[0]!r}")
        return [challenge_timer(minutes=minutes)]


def visit_timer_html(self, node):
    # A group named for screen readers; the clock is a role="timer" (not
    # announced every second), and a hidden live region says only when the
    # timer starts, pauses, runs out or is reset (lesson.js).
    minutes = node["minutes"]
    self.body.append(
        f'<div class="challenge-timer" data-minutes="{minutes}" role="group" '
        f'aria-label="Challenge timer, {minutes} minutes">'
        f'<span class="timer-label"><span aria-hidden="true">&#9201;</span> {minutes} min</span>'
        f'<button type="button" class="timer-button">Start {minutes}-minute timer</button>'
        '<button type="button" class="timer-reset">Reset</button>'
        f'<span class="timer-display" role="timer">{minutes}:00</span>'
        '<span class="timer-status visually-hidden" aria-live="polite"></span>'
        "</div>"
    )
    raise nodes.SkipNode


def visit_timer_text(self, node):
    raise nodes.SkipNode


def _exercises(doctree):
    return [n for n in doctree.findall() if isinstance(n, (exercise_node, exercise_enumerable_node))]


def collect_challenges(app, doctree):
    """Check the challenges of one page and remember their minutes."""
    docname = app.env.docname
    exercises = _exercises(doctree)
    solved = {n.get("target_label") for n in doctree.findall(solution_node)}
    minutes = []
    for exercise in exercises:
        label = exercise.get("label", "?")
        timers = list(exercise.findall(challenge_timer))
        if len(timers) != 1:
            raise LessonError(f"{docname}: challenge {label!r} needs exactly one {{timer}}, found {len(timers)}")
        if label not in solved:
            raise LessonError(f"{docname}: challenge {label!r} has no solution")
        minutes.append(timers[0]["minutes"])
    app.env.lesson_challenge_minutes[docname] = minutes


def check_minutes_add_up(app, env):
    for docname in sorted(env.found_docs):
        if not is_episode(docname):
            continue
        episode = load_episode(env, docname)
        timed = env.lesson_challenge_minutes.get(docname, [])
        if sum(timed) != episode.exercises:
            raise LessonError(
                f"episode {docname}: its challenges' timers add up to {sum(timed)} min "
                f"({' + '.join(map(str, timed)) or 'none'}), but its front matter says exercises: {episode.exercises}"
            )
