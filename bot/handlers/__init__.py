"""One module per area of the campaign: each handler loads, calls a use case, saves, renders."""
