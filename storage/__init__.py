"""Tables, sessions and queries. Repositories never commit; one unit of work per update does."""
