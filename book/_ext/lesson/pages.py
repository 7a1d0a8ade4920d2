"""Pages generated from the episodes' metadata: the schedule and the keypoints.

The schedule has one table per day: day 1 is the ``core`` block, day 2 the
``extension`` block. ``_config.yml`` sets when a day starts
(``lesson_day_start``) and its breaks (``lesson_breaks``: each names its day's
block, the episode it follows, its minutes and title). A break after an episode
the build does not include is left out of the table.

Headings inside a directive are not allowed, so each day or episode gets a rubric.

Both directives write MyST text and parse it, so the result looks like any
hand-written table or list, while the numbers come from the front matter.
"""

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from .errors import LessonError
from .metadata import BLOCKS, all_episodes, digest_path
from .notebooks import zip_link_html

BLOCK_TITLES = {"core": "Day 1: core episodes", "extension": "Day 2: extension episodes"}


def clock(minutes):
    """Minutes since the start of the day as ``H:MM``."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def duration(minutes):
    """``495`` as ``8 h 15 min``."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def parse_clock(text):
    """``"9:00"`` as minutes after midnight."""
    try:
        hours, minutes = (int(part) for part in str(text).split(":"))
    except ValueError:
        raise LessonError(f"lesson_day_start must look like 9:00, got {text!r}") from None
    return hours * 60 + minutes


def breaks_by_block(config_breaks):
    """``lesson_breaks`` from ``_config.yml`` as ``{block: {after: (minutes, title)}}``, checked."""
    days = {block: {} for block in BLOCKS}
    for entry in config_breaks:
        block = entry.get("block", "core")
        if block not in BLOCKS or not isinstance(entry.get("after"), str):
            raise LessonError(f"lesson_breaks: each break needs a block in {BLOCKS} and an 'after' episode: {entry!r}")
        minutes = entry.get("minutes")
        if not isinstance(minutes, int) or minutes <= 0:
            raise LessonError(f"lesson_breaks: 'minutes' must be a whole number > 0: {entry!r}")
        days[block][entry["after"]] = (minutes, entry.get("title", "Break"))
    return days


def schedule_rows(episodes, breaks):
    """Rows of one day: ``(start, kind, episode or break title, teaching, exercises, length)``.

    ``breaks`` maps an episode's docname to ``(minutes, title)`` of the break after it.
    """
    rows, start = [], 0
    for episode in episodes:
        rows.append((start, "episode", episode, episode.teaching, episode.exercises, episode.minutes))
        start += episode.minutes
        if episode.docname in breaks and episode is not episodes[-1]:
            minutes, title = breaks[episode.docname]
            rows.append((start, "break", title, 0, 0, minutes))
            start += minutes
    return rows, start


class _GeneratedPage(SphinxDirective):
    has_content = False

    def episodes(self):
        episodes = all_episodes(self.env)
        for episode in episodes:  # the metadata, not the whole episode (see write_digests)
            self.env.note_dependency(str(digest_path(self.env.doctreedir, episode.docname)))
        return episodes

    def parse(self, lines):
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source=self.env.docname), self.content_offset, container)
        return container.children


class LessonSchedule(_GeneratedPage):
    def run(self):
        breaks = breaks_by_block(self.config.lesson_breaks)
        day_start = parse_clock(self.config.lesson_day_start)
        episodes = self.episodes()
        lines = []
        for block in BLOCKS:
            day = [e for e in episodes if e.block == block]
            lines += [f":::{{rubric}} {BLOCK_TITLES[block]}", ":::", ""]
            if not day:
                lines += [f"No {block} episodes are part of this lesson yet.", ""]
                continue
            rows, end = schedule_rows(day, breaks[block])
            lines += [
                "| Start | Episode | Teaching | Exercises | Minutes |",
                "|---|---|--:|--:|--:|",
            ]
            for start, kind, what, teaching, exercises, length in rows:
                if kind == "episode":
                    lines.append(
                        f"| {clock(day_start + start)} | {{doc}}`/{what.docname}` | {teaching} | {exercises} | {length} |"
                    )
                else:
                    lines.append(f"| {clock(day_start + start)} | *{what}* | | | {length} |")
            teaching = sum(e.teaching for e in day)
            exercises = sum(e.exercises for e in day)
            lines += [
                f"| {clock(day_start + end)} | **Finish** | **{teaching}** | **{exercises}** | **{end}** |",
                "",
                f"{BLOCK_TITLES[block].split(':')[0]}: [{len(day)}]{{.schedule-episodes}} "
                f"episode{'s' if len(day) != 1 else ''}, "
                f"[{teaching}]{{.schedule-teaching}} min teaching, "
                f"[{exercises}]{{.schedule-exercises}} min challenges, "
                f"[{end}]{{.schedule-total}} min{f' ({duration(end)})' if end >= 60 else ''} including breaks, "
                f"from {clock(day_start)} to {clock(day_start + end)}.",
                "",
            ]
        return self.parse(lines)


class LessonKeypoints(_GeneratedPage):
    def run(self):
        lines = []
        for episode in self.episodes():
            lines += [f":::{{rubric}} {{doc}}`/{episode.docname}`", ":::", ""]
            lines += [f"- {k}" for k in episode.keypoints]
            lines.append("")
        return self.parse(lines)


class NotebooksZip(SphinxDirective):
    """A link to the zip of every episode's learner notebook (written at the end of the build)."""

    has_content = False

    def run(self):
        paragraph = nodes.paragraph(classes=["lesson-notebooks-zip"])
        paragraph += nodes.raw("", zip_link_html(self.env.docname), format="html")
        return [paragraph]
