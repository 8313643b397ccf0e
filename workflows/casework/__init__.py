"""Forwarded cases (转办件): forwarding, signing, feedback, extensions, and reading annex 3's
register into cases."""
