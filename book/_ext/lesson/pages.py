"""Pages generated from the episodes' metadata: the schedule and the keypoints.

Headings inside a directive are not allowed, so each day or episode gets a rubric.

Both directives write MyST text and parse it, so the result looks like any
hand-written table or list, while the numbers come from the front matter.
"""

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from .metadata import BLOCKS, all_episodes

BLOCK_TITLES = {"core": "Day 1: core episodes", "extension": "Day 2: extension episodes"}


def clock(minutes):
    """Minutes since the start of the day as ``H:MM``."""
    return f"{minutes // 60}:{minutes % 60:02d}"


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
        for episode in episodes:
            self.env.note_dependency(self.env.doc2path(episode.docname))
        return episodes

    def parse(self, lines):
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source=self.env.docname), self.content_offset, container)
        return container.children


class LessonSchedule(_GeneratedPage):
    def run(self):
        breaks = {b["after"]: (b["minutes"], b["title"]) for b in self.config.lesson_breaks}
        episodes = self.episodes()
        lines = []
        for block in BLOCKS:
            day = [e for e in episodes if e.block == block]
            if not day:
                continue
            rows, end = schedule_rows(day, breaks if block == "core" else {})
            lines += [
                f":::{{rubric}} {BLOCK_TITLES[block]}",
                ":::",
                "",
                "| Start | Episode | Teaching | Exercises | Minutes |",
                "|---|---|--:|--:|--:|",
            ]
            for start, kind, what, teaching, exercises, length in rows:
                if kind == "episode":
                    lines.append(
                        f"| {clock(start)} | {{doc}}`/{what.docname}` | {teaching} | {exercises} | {length} |"
                    )
                else:
                    lines.append(f"| {clock(start)} | *{what}* | | | {length} |")
            teaching = sum(e.teaching for e in day)
            exercises = sum(e.exercises for e in day)
            lines += [
                f"| {clock(end)} | **Finish** | **{teaching}** | **{exercises}** | **{end}** |",
                "",
                f"{BLOCK_TITLES[block].split(':')[0]}: [{len(day)}]{{.schedule-episodes}} "
                f"episode{'s' if len(day) != 1 else ''}, "
                f"[{teaching}]{{.schedule-teaching}} min teaching, "
                f"[{exercises}]{{.schedule-exercises}} min challenges, "
                f"[{end}]{{.schedule-total}} min ({clock(end)}) including breaks.",
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
