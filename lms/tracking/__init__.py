"""Tracking every region's cohort: gradebook, cohort, region and national dashboards,
at-risk rules and exports. Everything is aggregated in SQL."""
