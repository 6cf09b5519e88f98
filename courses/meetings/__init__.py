"""A cohort's schedule: one meeting per module, attendance and session notes."""
