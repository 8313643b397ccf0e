"""The Mini App: a third door to the same rooms (DESIGN.md §10).

Its pages are static files of ours (`static/`), its API JSON over aiohttp on the bot's own web
server. `calls.py` is what every call shares (initData checked, the link read, one turn of the
pipeline); each page's API is a module with its `ROUTES` (`week.py`, `problem_pages.py`),
joined to the feature it serves in `bot/serve/features.py`; `server.py` serves the registry's
routes.
"""
