"""The one error type the lesson extension raises: it stops the build with a message."""

from sphinx.errors import SphinxError


class LessonError(SphinxError):
    category = "Lesson error"
