"""The `cleaner` Typer app: its help layout, its global options and its entry point.

Each command lives in a module of its own beside this one (clean.py, show.py,
...) and registers itself on `app`; cleaner/cli/__init__.py imports them all.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Annotated

import click
import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from cleaner import __version__, interrupts
from cleaner.cli.common import EXIT_INTERRUPTED, EXIT_USAGE

EXAMPLE = "Example: "  # every command's docstring ends with its example


class Command(TyperCommand):
    """A command whose usage line names its arguments as its help does (PATH...),
    not as Typer writes a required one ({PATH...})."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(param.make_metavar(ctx))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


class Group(TyperGroup):
    """`cleaner --help`: each command with what it does and its example."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, command) for name in self.list_commands(ctx)
                    if (command := self.get_command(ctx, name)) and not command.hidden]
        if not commands:
            return
        width = max(len(name) for name, _ in commands)
        with formatter.section("Commands"):
            indent = " " * (formatter.current_indent + width + 2)
            for name, command in commands:
                head = f"{'':{formatter.current_indent}}{name:<{width}}  "
                formatter.write(click.formatting.wrap_text(
                    command.get_short_help_str(limit=200), formatter.width,
                    initial_indent=head, subsequent_indent=indent) + "\n")
                example = command_example(command)
                if example:
                    formatter.write(f"{indent}$ {example}\n")


def command_example(command: click.Command) -> str | None:
    """The example a command's docstring gives: "cleaner clean crawl/ -o out/"."""
    for line in (command.help or "").splitlines():
        if line.strip().startswith(EXAMPLE):
            return line.strip()[len(EXAMPLE):]
    return None


app = typer.Typer(
    cls=Group,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Strip navigation, related links and reader comments from scraped news pages.",
)
state = {"debug": False}


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"cleaner {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=version_callback,
                                          is_eager=True, help="Print the version.")] = False,
) -> None:
    """Label every line of a page body, nav, related or comment, and keep the article."""
    state["debug"] = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="cleaner: %(levelname)s: %(message)s")



def run_app() -> None:
    """Entry point: Typer, with one clean line instead of a traceback on unexpected
    errors, and Ctrl-C at any moment an exit with status 130 (cleaner/interrupts.py)."""
    try:
        with interrupts.interruptible():
            app(standalone_mode=True)
    except KeyboardInterrupt:  # before the command runs (Typer builds it): nothing to say
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:  # pragma: no cover - last line of defence
        if state["debug"]:
            traceback.print_exc()
        typer.echo(f"cleaner: error: {error}", err=True)
        sys.exit(EXIT_USAGE)


COLOR_CHOICES = ("always", "never", "auto")
