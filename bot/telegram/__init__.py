"""The Telegram adapter: one turn per update, its rendering, form flows, chat order and budget."""
