"""Cohorts (angkatan) of a region, their mentors and enrolments."""
