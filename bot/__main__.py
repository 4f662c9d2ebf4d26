"""Lets `python -m bot` run the `soteria-bot` command."""

from bot.cli import cli

if __name__ == "__main__":
    cli()
