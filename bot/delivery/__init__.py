"""The outbox: planned notifications rendered and sent within each chat's budget."""
