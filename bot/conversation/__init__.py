"""The chat, channel-neutral: (person, text | action | file) -> replies with options."""
