"""Accessibility repairs of what other extensions write into the pages.

sphinx-exercise gives the body of *every* exercise the id ``exercise-content``
and of every solution ``solution-content``, so a page with three challenges has
each id three times (axe-core's ``duplicate-id``, WCAG 4.1.1): assistive
technology that follows an id finds the first one only. Nothing links to these
ids, so the second and later ones are numbered (``exercise-content-2``, ...).
"""

from docutils import nodes

REPEATED_IDS = ("exercise-content", "solution-content")


def number_repeated_ids(app, doctree, docname):
    seen = dict.fromkeys(REPEATED_IDS, 0)
    for node in doctree.findall(nodes.Element):
        ids = node.get("ids")
        if not ids:
            continue
        for i, node_id in enumerate(ids):
            if node_id in seen:
                seen[node_id] += 1
                if seen[node_id] > 1:
                    ids[i] = f"{node_id}-{seen[node_id]}"
