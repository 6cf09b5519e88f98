"""Site settings an admin changes on a page (stored in the database, the config as default)."""
