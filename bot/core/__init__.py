"""The domain: playbooks, runs and schedules, with no Telegram, SQL, files or clock."""
