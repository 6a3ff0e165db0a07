"""`python -m cleaner` and the `cleaner` command: the command line."""

from cleaner import interrupts


def main() -> None:
    interrupts.exit_at_once()  # before the imports: a Ctrl-C while they run ends quietly
    from cleaner.cli import run_app

    run_app()


if __name__ == "__main__":
    main()
