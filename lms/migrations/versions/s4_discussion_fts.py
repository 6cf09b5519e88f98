"""SQLite full-text search for discussion posts (FTS5).

An FTS5 table `discussion_post_fts` holds, per post (rowid = post id), the thread's title
(opening posts only) and the body; triggers keep it in step with inserts, edits, deletes
and thread title changes. Only on SQLite: PostgreSQL keeps its `to_tsvector` search.

Revision ID: s4_discussion_fts
Revises: s4_stats_aggregates
"""

from alembic import op

revision = "s4_discussion_fts"
down_revision = "s4_stats_aggregates"
branch_labels = None
depends_on = None

_TITLE = (
    "CASE WHEN new.is_opening THEN "
    "(SELECT title FROM discussion_thread WHERE id = new.thread_id) ELSE '' END"
)

_STATEMENTS = [
    "CREATE VIRTUAL TABLE discussion_post_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER discussion_post_fts_ai AFTER INSERT ON discussion_post BEGIN "
    f"INSERT INTO discussion_post_fts(rowid, title, body) VALUES (new.id, {_TITLE}, new.body); "
    "END",
    "CREATE TRIGGER discussion_post_fts_ad AFTER DELETE ON discussion_post BEGIN "
    "DELETE FROM discussion_post_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER discussion_post_fts_au AFTER UPDATE OF body, thread_id, is_opening "
    "ON discussion_post BEGIN "
    "DELETE FROM discussion_post_fts WHERE rowid = old.id; "
    f"INSERT INTO discussion_post_fts(rowid, title, body) VALUES (new.id, {_TITLE}, new.body); "
    "END",
    "CREATE TRIGGER discussion_thread_fts_au AFTER UPDATE OF title ON discussion_thread BEGIN "
    "UPDATE discussion_post_fts SET title = new.title WHERE rowid IN "
    "(SELECT id FROM discussion_post WHERE thread_id = new.id AND is_opening); END",
    # Posts written before this revision.
    "INSERT INTO discussion_post_fts(rowid, title, body) "
    "SELECT p.id, CASE WHEN p.is_opening THEN t.title ELSE '' END, p.body "
    "FROM discussion_post p JOIN discussion_thread t ON t.id = p.thread_id",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in _STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in (
        "discussion_thread_fts_au",
        "discussion_post_fts_au",
        "discussion_post_fts_ad",
        "discussion_post_fts_ai",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS discussion_post_fts")
