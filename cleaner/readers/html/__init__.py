"""HTML pages to lines, laid out as a text browser lays them out, with DOM cues."""
