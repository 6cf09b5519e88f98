"""The API's request and response bodies (marshmallow), which are also its OpenAPI schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from lms.auth.models import Role

ROLES = [role.value for role in Role]


class ProblemSchema(ma.Schema):
    """An error as RFC 9457 problem details (application/problem+json)."""

    type = fields.String(required=True, metadata={"description": "A URI naming the problem"})
    title = fields.String(required=True, metadata={"description": "In the caller's language"})
    status = fields.Integer(required=True)
    detail = fields.String(metadata={"description": "What went wrong, in the caller's language"})
    errors = fields.Dict(metadata={"description": "Field -> messages, for invalid input"})


class PageArgs(ma.Schema):
    cursor = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "next_cursor of the previous page; absent for the first"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


def page_of(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page of `item`s: ``{items, next_cursor}`` (null on the last page)."""
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(required=True, allow_none=True),
        },
        name=name,
    )


class RegionSchema(ma.Schema):
    code = fields.String(required=True, metadata={"example": "32.11"})
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "kabupaten or kota"})
    province_code = fields.String(required=True)
    timezone = fields.String(required=True)


class CohortArgs(PageArgs):
    region_code = fields.String(load_default=None, validate=validate.Length(max=5))


class CohortSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    region_code = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    course_version_id = fields.Integer(required=True, allow_none=True)


class UserSchema(ma.Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    region_code = fields.String(required=True, allow_none=True)
    nip = fields.String(required=True, allow_none=True)
    work_unit = fields.String(required=True, allow_none=True)
    position = fields.String(required=True, allow_none=True)
    institution = fields.String(required=True, allow_none=True)
    active = fields.Boolean(required=True)


class UserArgs(PageArgs):
    role = fields.String(load_default=None, validate=validate.OneOf(ROLES))
    region_code = fields.String(load_default=None, validate=validate.Length(max=5))
    active = fields.Boolean(load_default=None)


def _optional_text(length: int) -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=length))


class UserCreateSchema(ma.Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(load_default=Role.PARTICIPANT.value, validate=validate.OneOf(ROLES))
    region_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5))
    nip = _optional_text(18)
    work_unit = _optional_text(200)
    position = _optional_text(200)
    institution = _optional_text(200)


class UserUpdateSchema(ma.Schema):
    """Only the fields given change."""

    email = fields.Email(validate=validate.Length(max=254))
    name = fields.String(validate=validate.Length(min=1, max=200))
    role = fields.String(validate=validate.OneOf(ROLES))
    region_code = fields.String(allow_none=True, validate=validate.Length(max=5))
    nip = fields.String(allow_none=True, validate=validate.Length(max=18))
    work_unit = fields.String(allow_none=True, validate=validate.Length(max=200))
    position = fields.String(allow_none=True, validate=validate.Length(max=200))
    institution = fields.String(allow_none=True, validate=validate.Length(max=200))


class BulkUsersSchema(ma.Schema):
    users = fields.List(
        fields.Dict(),
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "Up to 500 objects shaped like UserCreate; each gets a result"},
    )


class BulkRowSchema(ma.Schema):
    index = fields.Integer(required=True, metadata={"description": "Position in `users`"})
    status = fields.String(required=True, validate=validate.OneOf(["created", "invalid"]))
    id = fields.Integer(required=True, allow_none=True)
    errors = fields.Dict(required=True, allow_none=True)


class BulkResultSchema(ma.Schema):
    created = fields.Integer(required=True)
    invalid = fields.Integer(required=True)
    results = fields.List(fields.Nested(BulkRowSchema), required=True)


class EnrolmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    cohort_id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    status = fields.String(required=True)
    enrolled_at = fields.DateTime(required=True)
    withdrawn_at = fields.DateTime(required=True, allow_none=True)


class EnrolmentCreateSchema(ma.Schema):
    user_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class CourseVersionSchema(ma.Schema):
    id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    slug = fields.String(required=True)
    label = fields.String(required=True)
    status = fields.String(required=True)
    title = fields.String(required=True)
    language = fields.String(required=True)
    published_at = fields.DateTime(required=True, allow_none=True)


class ProgressSchema(ma.Schema):
    enrolment_id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    completed = fields.Integer(required=True)
    total = fields.Integer(required=True)
    completion_percent = fields.Float(required=True)


class GradeItemSchema(ma.Schema):
    activity_id = fields.Integer(required=True)
    category = fields.String(
        required=True, metadata={"description": "The grade category, e.g. post or assignment"}
    )
    weight = fields.Float(required=True, metadata={"description": "Share of the course grade"})
    result = fields.Float(required=True, allow_none=True, metadata={"description": "0-100"})


class GradebookSchema(ma.Schema):
    enrolment_id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    final_grade = fields.Float(required=True, metadata={"description": "Ungraded items count 0"})
    grade_so_far = fields.Float(required=True, allow_none=True)
    pass_percent = fields.Float(required=True)
    passed = fields.Boolean(required=True)
    items = fields.List(fields.Nested(GradeItemSchema), required=True)


class CertificateSchema(ma.Schema):
    code = fields.String(required=True)
    participant_name = fields.String(required=True)
    course_title = fields.String(required=True)
    issued_at = fields.DateTime(required=True)
