"""The use cases: what a person or the planner does to the campaign, apart from any door.

Each module is one capability. A use case takes an `Act` (the unit of work, the moment, who
acts, where its words go) or the plain values it needs, and returns typed results; what it
says to the one acting and what it tells others (`Planned`, for the outbox) are kept on the
`Act` for the door to deliver. No module here imports `telegram`, `aiohttp` or a door
(`bot/handlers`, `bot/web`, `bot/serve`, `bot/cli`): `tests/test_architecture.py` checks it.
"""
