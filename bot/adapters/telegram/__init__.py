"""The Telegram face: python-telegram-bot long polling, rendering the shared dialogue."""
