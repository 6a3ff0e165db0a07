"""HTML pages to lines, laid out as a text browser lays them out, with DOM cues.

render.py is the API (read_html, render_html, render_tree, format_cues); the
other modules are its parts, one concern each. Nothing is imported here, so
that features/ can read the tag tables and the vocabulary without the parser.
"""
