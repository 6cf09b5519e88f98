"""Who may do what with a cohort's SPBE maturity self-assessment.

Viewing: the cohort's mentors, its region's coordinator and admins (`get_cohort_or_abort`).
Editing and submitting: the region's coordinator and admins. Reviewing: the cohort's mentors
and admins.
"""

from __future__ import annotations

from lms import policy
from lms.auth.models import User
from lms.cohorts.models import Cohort


def can_edit_assessment(user: User, cohort: Cohort) -> bool:
    return policy.can_manage_cohort(user, cohort)


def can_review_assessment(user: User, cohort: Cohort) -> bool:
    return policy.can_take_attendance(user, cohort)
