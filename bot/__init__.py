"""The Telegram adapter: python-telegram-bot application, handlers, rendering, delivery."""
