"""`cleaner review`: label pages in the browser and retrain (docs/training.md).

pages.py: the pages, their label files and the model's view of them;
html_view.py: the page's own HTML, made safe to show, its elements numbered;
training.py: the Train button's background job; server.py: the local web
server; command.py: the Typer command; static/: the page (no build step).
"""
