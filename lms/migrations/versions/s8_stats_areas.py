"""Maintained statistics rolled up per region, province and nation

Revision ID: s8_stats_areas
Revises: s6_course_assets
Create Date: 2026-12-05 03:30:00

The national dashboard reads these rows instead of grouping every cohort's row on each
request. They are filled here from the cohorts' rows already kept (the same arithmetic as
`lms.tracking.stats.roll_up`); from then on they are kept with them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "s8_stats_areas"
down_revision = "s6_course_assets"
branch_labels = None
depends_on = None

SUMS = (
    "enrolled", "completion_sum", "completion_n", "slots", "pre_sum", "pre_n", "post_sum",
    "post_n", "certificates", "gain_loss", "gain_low", "gain_medium", "gain_high",
)
MAPPED = ("completion", "post", "gain")


def upgrade():
    columns = [
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("parent", sa.String(length=16), nullable=False),
        sa.Column("regions", sa.Integer(), nullable=False),
        sa.Column("cohorts", sa.Integer(), nullable=False),
    ]
    for name in SUMS:
        kind = sa.Double() if name.endswith("_sum") else sa.Integer()
        columns.append(sa.Column(name, kind, nullable=False))
    for name in MAPPED:
        columns.append(sa.Column(name, sa.Double(), nullable=True))
    for name in MAPPED:
        columns.append(sa.Column(f"rank_{name}", sa.Double(), nullable=False))
    for name in MAPPED:
        columns.append(sa.Column(f"map_{name}_sum", sa.Double(), nullable=False))
        columns.append(sa.Column(f"map_{name}_n", sa.Integer(), nullable=False))
    area = op.create_table(
        "stats_area", *columns, sa.PrimaryKeyConstraint("level", "code", name=op.f("pk_stats_area"))
    )
    op.create_index("ix_stats_area_parent", "stats_area", ["level", "parent"])
    for name in ("completion", "post", "gain", "enrolled", "certificates"):
        column = name if name in ("enrolled", "certificates") else f"rank_{name}"
        op.create_index(
            f"ix_stats_area_rank_{name}", "stats_area", ["level", sa.text(f"{column} DESC"), "code"]
        )
    day = op.create_table(
        "stats_area_day",
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("level", "code", "day", name=op.f("pk_stats_area_day")),
    )
    week = op.create_table(
        "stats_area_week",
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("completions", sa.Integer(), nullable=False),
        sa.Column("post_sum", sa.Double(), nullable=False),
        sa.Column("post_n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("level", "code", "week", name=op.f("pk_stats_area_week")),
    )
    _fill(op.get_bind(), area, day, week)


def _fill(bind, area, day, week):
    """The area rows from the cohorts' rows, summed in Python (a few thousand rows)."""
    cohort = sa.table("stats_cohort", sa.column("region_code"), *(sa.column(n) for n in SUMS))
    areas = {}

    def add(level, code, parent, values, regions, cohorts):
        row = areas.setdefault(
            (level, code),
            {"level": level, "code": code, "parent": parent, "regions": 0, "cohorts": 0,
             **{n: 0 for n in SUMS}, **{f"map_{n}_sum": 0.0 for n in MAPPED},
             **{f"map_{n}_n": 0 for n in MAPPED}},
        )
        row["regions"] += regions
        row["cohorts"] += cohorts
        for name in SUMS:
            row[name] += values[name] or 0

    for found in bind.execute(sa.select(cohort)).mappings():
        code = found["region_code"]
        add("region", code, code.split(".", 1)[0], found, 0, 1)
    for (level, code), row in list(areas.items()):
        row["regions"] = 1
    for row in [r for r in areas.values() if r["level"] == "region"]:
        _means(row)
        add("province", row["parent"], "", row, 1, row["cohorts"])
        province = areas[("province", row["parent"])]
        for name in MAPPED:
            if row[name] is not None and row["enrolled"] > 0:
                province[f"map_{name}_sum"] += row[name] * row["enrolled"]
                province[f"map_{name}_n"] += row["enrolled"]
    for row in [r for r in areas.values() if r["level"] == "province"]:
        add("nation", "", "", row, row["regions"], row["cohorts"])
        for name in MAPPED:
            areas[("nation", "")][f"map_{name}_sum"] += row[f"map_{name}_sum"]
            areas[("nation", "")][f"map_{name}_n"] += row[f"map_{name}_n"]
    for row in areas.values():
        if row["level"] != "region":
            _means(row)
    if areas:
        op.bulk_insert(area, list(areas.values()))
    for table, source, key, columns in (
        (day, "stats_cohort_day", "day", ("participants",)),
        (week, "stats_cohort_week", "week", ("completions", "post_sum", "post_n")),
    ):
        rows = {}
        cohorts = sa.table("stats_cohort", sa.column("cohort_id"), sa.column("region_code"))
        rows_of = sa.table(
            source, sa.column("cohort_id"), sa.column(key, sa.Date()),
            *(sa.column(c) for c in columns),
        )
        query = sa.select(cohorts.c.region_code, rows_of.c[key], *(rows_of.c[c] for c in columns))
        query = query.join_from(rows_of, cohorts, cohorts.c.cohort_id == rows_of.c.cohort_id)
        for region_code, when, *values in bind.execute(query):
            for level, code in (("province", region_code.split(".", 1)[0]), ("nation", "")):
                row = rows.setdefault(
                    (level, code, when),
                    {"level": level, "code": code, key: when, **{c: 0 for c in columns}},
                )
                for column, value in zip(columns, values):
                    row[column] += value or 0
        if rows:
            op.bulk_insert(table, list(rows.values()))


def _means(row):
    def mean(total, count):
        return row[total] / row[count] if row[count] else None

    completion, pre, post = (
        mean("completion_sum", "completion_n"), mean("pre_sum", "pre_n"), mean("post_sum", "post_n")
    )
    gain = None if pre is None or post is None or pre >= 100 else (post - pre) / (100.0 - pre)
    row.update(
        completion=completion, post=post, gain=gain,
        rank_completion=completion if completion else -1.0,
        rank_post=post if post else -1.0,
        rank_gain=gain if gain is not None else -9.0,
    )


def downgrade():
    op.drop_table("stats_area_week")
    op.drop_table("stats_area_day")
    op.drop_index("ix_stats_area_parent", table_name="stats_area")
    for name in ("completion", "post", "gain", "enrolled", "certificates"):
        op.drop_index(f"ix_stats_area_rank_{name}", table_name="stats_area")
    op.drop_table("stats_area")
