"""soteria-bot: playbooks that keep RASSO investigations suspect-focused, one tap at a time."""

__version__ = "0.1.0"
