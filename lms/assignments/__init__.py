"""Practical assignments (*tugas praktik*): submissions, mentor reviews with rubrics."""
