"""The boxes at the top and bottom of every episode, made from its front matter.

``{episode-overview}`` goes under the title: minutes, questions, objectives.
``{episode-keypoints}`` goes at the end: the keypoints. Both take no content;
they read the episode's metadata, so the text is written once, in the front matter.
"""

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from .errors import LessonError
from .notebooks import download_links_html
from .metadata import is_episode, load_episode


class _EpisodeBox(SphinxDirective):
    has_content = False

    def episode(self):
        if not is_episode(self.env.docname):
            raise LessonError(f"{self.name} is only for episodes, used in {self.env.docname}")
        self.env.note_dependency(self.env.doc2path(self.env.docname))
        return load_episode(self.env, self.env.docname)

    def box(self, title, css_class, lines):
        """An admonition titled ``title`` whose body is ``lines`` parsed as MyST."""
        node = nodes.admonition(classes=["lesson-box", css_class])
        node += nodes.title(text=title)
        self.state.nested_parse(StringList(lines, source=self.env.docname), self.content_offset, node)
        return node


class EpisodeOverview(_EpisodeBox):
    def run(self):
        episode = self.episode()
        overview = nodes.container(classes=["lesson-overview"])
        timing = [
            f"**Teaching:** [{episode.teaching}]{{.lesson-teaching}} min"
            f" · **Exercises:** [{episode.exercises}]{{.lesson-exercises}} min"
        ]
        overview += self.box("Overview", "lesson-timing", timing)
        overview += self.box("Questions", "lesson-questions", [f"- {q}" for q in episode.questions])
        overview += self.box("Objectives", "lesson-objectives", [f"- {o}" for o in episode.objectives])
        overview += nodes.raw("", download_links_html(self.env.docname), format="html")
        self.env.lesson_boxes.setdefault(self.env.docname, set()).add("overview")
        return [overview]


class EpisodeKeypoints(_EpisodeBox):
    def run(self):
        episode = self.episode()
        self.env.lesson_boxes.setdefault(self.env.docname, set()).add("keypoints")
        return [self.box("Keypoints", "lesson-keypoints", [f"- {k}" for k in episode.keypoints])]


def check_every_episode_has_boxes(app, env):
    for docname in sorted(env.found_docs):
        if not is_episode(docname):
            continue
        missing = {"overview", "keypoints"} - env.lesson_boxes.get(docname, set())
        if missing:
            directives = ", ".join(f"{{episode-{m}}}" for m in sorted(missing))
            raise LessonError(f"episode {docname} lacks {directives}")
