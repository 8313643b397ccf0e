"""A local Bot API that behaves like Telegram, the bot on it, and the offline demo."""
