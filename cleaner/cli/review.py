"""`cleaner review`: label pages in the browser and retrain (the page itself:
cleaner/review/)."""

from __future__ import annotations

import os
import threading
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from cleaner.batch.summary import counted
from cleaner.cli.base import Command, app
from cleaner.cli.common import fail, load_cleaner, note
from cleaner.cli.options import option, paths
from cleaner.labels import UNSURE_BELOW
from cleaner.readers.sources import InputError, check_found, check_inputs
from cleaner.review import DEFAULT_HOST, DEFAULT_PORT

MODEL_FOLDER = "model"  # the site model's default place: <labels>/model


Pages = Annotated[list[Path], paths("HTML pages or text dumps, or folders of them.")]
LabelsOption = Annotated[Path, option(
    "--labels", metavar="DIR", help="Folder of the pages' label files: those missing "
    "are pre-labelled there first (as `cleaner label` does).")]
ReviewModelOption = Annotated[str, option(
    "--model", "-m", metavar="NAME", help="Model that pre-labels the pages, shows its "
    "probabilities, and that Train adapts (as `train --base`; a site model: its base).")]
SiteModelOption = Annotated[Path | None, option(
    "--site-model", metavar="DIR", help="Where Train writes the site model. Default: "
    "model/ inside --labels.")]
HostsOption = Annotated[str | None, option(
    "--hosts", metavar="HOSTS", help="Comma-separated URL hosts the site model is for "
    "(as train --hosts; default: the labelled pages' hosts).")]
HostOption = Annotated[str, option(
    "--host", metavar="ADDRESS", help="Address to listen on; anything but 127.0.0.1 "
    "lets other machines reach the page.")]
PortOption = Annotated[int, option(
    "--port", min=0, max=65535, metavar="N", help="Port to listen on (0: any free one).")]
UnsureBelowOption = Annotated[float, option(
    "--unsure-below", metavar="P",
    help="Pre-labelling: mark lines whose label probability is below this with '?'.")]
OpenOption = Annotated[bool, option("--open", help="Open the page in the default web browser.")]


@app.command(cls=Command)
def review(
    pages: Pages, labels: LabelsOption, model: ReviewModelOption = "default",
    site_model: SiteModelOption = None, hosts: HostsOption = None,
    host: HostOption = DEFAULT_HOST, port: PortOption = DEFAULT_PORT,
    unsure_below: UnsureBelowOption = UNSURE_BELOW, open_browser: OpenOption = False,
) -> None:
    """Label pages in the browser: lines coloured by label, fixed with the keyboard, then Train.

    Pre-labels the pages that have no label file yet, starts a local web server
    and prints its URL; Ctrl-C stops it. Saving writes the label files in the
    format `cleaner train` reads. Train adapts --model to the labelled pages
    (train --base) and compares it with --model on the check pages.

    Example: cleaner review pages/ --labels labels/mysite/
    """
    from cleaner.review.pages import Workspace
    from cleaner.review.server import ReviewServer, is_loopback
    from cleaner.review.training import TrainJob

    specs = [str(path) for path in pages]
    try:
        check_inputs(specs)
        check_found(specs)
    except InputError as error:
        raise fail(str(error)) from None
    cleaner = load_cleaner(model)
    site_model = site_model or labels / MODEL_FOLDER
    if site_model.resolve() == cleaner.model.path.resolve():
        raise fail(f"Train would write its model over --model {model}: name another folder "
                   "with --site-model")
    workspace = Workspace(pages, labels, cleaner, unsure_below=unsure_below)
    bound = [h.strip().lower() for h in hosts.split(",") if h.strip()] if hosts else None
    try:  # the port first: a busy one fails before any page is read
        server = ReviewServer(workspace, TrainJob(workspace, model, site_model, hosts=bound),
                              host, port)
    except OSError as error:
        raise fail(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    with server:
        prelabel(workspace)
        if not is_loopback(host):
            note(f"listening on {host}: whoever reaches it can read the pages and change "
                 "the labels (the token comes with the page)")
        typer.echo(server.url, nl=True)
        note(f"{counted(len(workspace.pages), 'page')}; Ctrl-C stops the server")
        if open_browser:
            open_in_browser(server.url)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            note("stopped")


def prelabel(workspace) -> None:
    """The pages with no label file yet, pre-labelled, each said on stderr."""
    from cleaner.review.pages import OutsideFolders

    try:
        for done, unsure in workspace.prelabel():
            note(f"pre-labelled {done.label_file}: {unsure} unsure lines")
    except (OSError, OutsideFolders) as error:
        raise fail(str(error)) from None


def open_in_browser(url: str) -> None:
    """Open the page in the user's web browser, in a thread, so the server serves it meanwhile.

    Where no display is, Python's webbrowser falls back on a text browser (w3m, lynx),
    which would take over the terminal the server reports to: then say so and open
    nothing, unless $BROWSER names that browser on purpose.
    """
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        browser = None
    if browser is None or (type(browser) is webbrowser.GenericBrowser
                           and not os.environ.get("BROWSER")):
        note(f"no graphical web browser found: open {url} in one")
        return
    threading.Thread(target=browser.open, args=(url,), daemon=True).start()
