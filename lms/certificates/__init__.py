"""Certificates issued on course completion, with a public verification page."""
