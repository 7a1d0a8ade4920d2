"""Instructor notes: hidden from readers, shown by the "instructor view" switch.

``{instructor-note}`` makes an admonition with the class ``instructor-note``;
``lesson.css`` hides it unless ``<html>`` has the class ``instructor-view``,
which the switch in ``lesson.js`` sets (and remembers in localStorage).
``{instructor-notes}`` on the instructor guide collects every note of every
episode, in lesson order, each linked back to where it stands.
"""

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from .metadata import all_episodes


class InstructorNote(SphinxDirective):
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self):
        title = "Instructor note" + (f": {self.arguments[0]}" if self.arguments else "")
        note = nodes.admonition(classes=["instructor-note"])
        note += nodes.title(text=title)
        self.state.nested_parse(self.content, self.content_offset, note)
        note_id = f"instructor-note-{self.env.new_serialno('instructor-note')}"
        note["ids"].append(note_id)
        return [note]


class instructor_notes_list(nodes.General, nodes.Element):
    """Placeholder replaced by every episode's notes once all pages are read."""


class InstructorNotesList(SphinxDirective):
    has_content = False

    def run(self):
        return [instructor_notes_list()]


def collect_notes(app, doctree):
    docname = app.env.docname
    notes = [n.deepcopy() for n in doctree.findall(nodes.admonition) if "instructor-note" in n["classes"]]
    app.env.lesson_instructor_notes[docname] = notes


def fill_notes_lists(app, doctree, fromdocname):
    env = app.env
    for placeholder in list(doctree.findall(instructor_notes_list)):
        # Take the placeholder out first: resolving references below emits this
        # event again for this page, and it must not find the placeholder twice.
        parent = placeholder.parent
        position = parent.index(placeholder)
        parent.remove(placeholder)
        content = []
        for episode in all_episodes(env):
            notes = env.lesson_instructor_notes.get(episode.docname, [])
            if not notes:
                continue
            section = nodes.section(ids=[f"notes-{episode.docname.split('/')[-1]}"])
            heading = nodes.title()
            heading += _link(app, fromdocname, episode.docname, "", episode.title)
            section += heading
            for note in notes:
                copy = note.deepcopy()
                note_id = copy["ids"][0]
                copy["ids"] = []
                copy["classes"] = ["instructor-note-copy"]
                _resolve(app, doctree, copy, fromdocname)
                section += copy
                backlink = nodes.paragraph(classes=["instructor-note-source"])
                backlink += _link(app, fromdocname, episode.docname, note_id, "(where this note stands in the episode)")
                section += backlink
            content.append(section)
        if not content:
            content = [nodes.paragraph(text="No episode has instructor notes yet.")]
        for offset, node in enumerate(content):
            parent.insert(position + offset, node)


def _link(app, fromdocname, todocname, anchor, text):
    uri = app.builder.get_relative_uri(fromdocname, todocname)
    if anchor:
        uri += "#" + anchor
    ref = nodes.reference("", "", internal=True, refuri=uri)
    ref += nodes.Text(text)
    return ref


def _resolve(app, doctree, node, fromdocname):
    """Resolve cross-references (glossary terms, ...) inside a copied note.

    References are resolved per document, so the copy is put into this page's
    doctree for the resolution and taken out again.
    """
    for xref in node.findall(addnodes.pending_xref):
        xref["refdoc"] = fromdocname
    doctree += node
    app.env.resolve_references(doctree, fromdocname, app.builder)
    doctree.remove(node)
