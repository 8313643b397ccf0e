"""The domain of taizhang: pure Python, no Telegram, no database, no clock of its own."""
