"""Every sentence and label people read, for the chat, the command line and reports."""
