"""The audit log: an append-only record of what admins and coordinators changed.

Views call `lms.audit.recorder.log(...)` after a change; the request boundary commits the
entry together with the change (a rolled-back change leaves no entry). On PostgreSQL a
trigger from the migration refuses UPDATE and DELETE on the table.
"""
