"""The supervisors' view (督办): the board, a unit's standing and score, 催办, how decisions
read, and where the supervisors hear."""
