"""`cleaner review`: label pages in the browser and retrain (docs/training.md).

pages.py: the pages, their label files and the model's view of them;
html_view.py: the page's own HTML, made safe to show, its elements numbered;
training.py: the Train button's background job; server.py: the local web
server; static/: the page (no build step). The command: cleaner/cli/review.py.
"""

# Where the server listens unless told otherwise: this machine only. Here, not in
# server.py, so that `cleaner --help` builds the command without importing the
# training code (scikit-learn) that the server's modules import.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
