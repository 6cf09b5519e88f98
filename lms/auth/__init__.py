"""Accounts, roles, login, passwords and one-time reset links."""
