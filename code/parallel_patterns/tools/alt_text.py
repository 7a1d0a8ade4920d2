"""Figures that carry their own alternative text.

myst-nb takes an image's alternative text from the code cell's metadata
(``mystnb: image: alt:``), which is fixed text typed beside the cell. When the
description depends on what the code computed (the critical path of a task
graph, a measured speedup), :func:`described` keeps the text beside the code
that draws the figure, so the two cannot drift apart.

``described(figure, alt)`` renders a Graphviz graph, a Matplotlib figure, SVG
text or PNG bytes once and returns an object that Jupyter and myst-nb display as
an ``<img>`` with that ``alt`` (the HTML output is chosen before the bare image:
myst-nb would otherwise write the image to a file and give it the file's name
as its alternative text).
"""

import base64
import html

__all__ = ["Described", "described"]

_MIN_ALT = 10


class Described:
    """An image and the text that describes it, displayed together.

    Build it with :func:`described`. ``str()`` and ``repr()`` give the
    description, so a notebook without images still says what the figure shows.
    """

    def __init__(self, data, mime_type, alt):
        if mime_type not in ("image/svg+xml", "image/png"):
            raise ValueError(f"mime_type must be 'image/svg+xml' or 'image/png', got {mime_type!r}")
        self.data = data
        self.mime_type = mime_type
        self.alt = _check_alt(alt)

    def data_uri(self):
        raw = self.data.encode("utf-8") if isinstance(self.data, str) else self.data
        return f"data:{self.mime_type};base64,{base64.b64encode(raw).decode('ascii')}"

    def to_html(self):
        return (
            f'<img class="described-figure" src="{self.data_uri()}" '
            f'alt="{html.escape(self.alt, quote=True)}">'
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        image = self.data if isinstance(self.data, str) else base64.b64encode(self.data).decode("ascii")
        return {"text/html": self.to_html(), self.mime_type: image, "text/plain": self.alt}

    def __str__(self):
        return self.alt

    def __repr__(self):
        return f"<figure: {self.alt}>"


def _check_alt(alt):
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a str describing the figure, got {type(alt).__name__}")
    text = " ".join(alt.split())
    if len(text) < _MIN_ALT:
        raise ValueError(
            f"alt must say what the figure shows and what to notice (at least {_MIN_ALT} characters), got {alt!r}"
        )
    lowered = text.lower()
    if lowered.endswith((".svg", ".png", ".jpg", ".jpeg", ".gif", ".pdf")) or "_images/" in lowered:
        raise ValueError(f"alt must describe the figure, not name a file: {alt!r}")
    return text


def described(figure, alt, *, format="svg"):
    """``figure`` rendered once, to be displayed with the alternative text ``alt``.

    ``figure`` may be a Graphviz graph (anything with ``pipe``), a Matplotlib
    figure (anything with ``savefig``; it is closed afterwards, so Jupyter does
    not show it a second time), SVG text, or PNG bytes. ``format`` ("svg" or
    "png") chooses how graphs and figures are rendered.
    """
    if format not in ("svg", "png"):
        raise ValueError(f"format must be 'svg' or 'png', got {format!r}")
    alt = _check_alt(alt)
    mime_type = "image/svg+xml" if format == "svg" else "image/png"
    if hasattr(figure, "pipe"):  # graphviz.Digraph, graphviz.Graph, graphviz.Source
        data = figure.pipe(format=format)
        return Described(data.decode("utf-8") if format == "svg" else data, mime_type, alt)
    if hasattr(figure, "savefig"):  # matplotlib.figure.Figure
        import io

        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        figure.savefig(buffer, format=format, bbox_inches="tight")
        plt.close(figure)
        data = buffer.getvalue()
        return Described(data.decode("utf-8") if format == "svg" else data, mime_type, alt)
    if isinstance(figure, str) and "<svg" in figure[:2000]:
        return Described(figure, "image/svg+xml", alt)
    if isinstance(figure, bytes) and figure.startswith(b"\x89PNG"):
        return Described(figure, "image/png", alt)
    raise TypeError(
        "figure must be a Graphviz graph, a Matplotlib figure, SVG text or PNG bytes, "
        f"got {type(figure).__name__}"
    )
