"""Search: each index entry carries every token of its record

Revision ID: speed_0001
Revises: deposits_0001
Create Date: 2026-12-04 21:15:00

`search_entry.record_tokens` repeats on each entry the tokens of its record (each after
the separator U+001F), and the token index includes it: a multi-word search checks its
further words in the entries it walks instead of probing the index once per entry (see
`SearchEntry`). Filled here from the entries already there; a record whose tokens would
exceed 1,000 bytes keeps "" (the search probes for it, as before).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "speed_0001"
down_revision: str | Sequence[str] | None = "deposits_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FILL_SQLITE = """
UPDATE search_entry SET record_tokens = r.tokens
FROM (SELECT kind, ref_id, group_concat(char(31) || token, '') AS tokens
      FROM search_entry GROUP BY kind, ref_id) AS r
WHERE r.kind = search_entry.kind AND r.ref_id = search_entry.ref_id
  AND length(CAST(r.tokens AS BLOB)) <= 1000
"""
_FILL_POSTGRESQL = """
UPDATE search_entry SET record_tokens = r.tokens
FROM (SELECT kind, ref_id, string_agg(chr(31) || token, '') AS tokens
      FROM search_entry GROUP BY kind, ref_id) AS r
WHERE r.kind = search_entry.kind AND r.ref_id = search_entry.ref_id
  AND octet_length(r.tokens) <= 1000
"""


def upgrade() -> None:
    # The index is built once, after the fill (a sort), not updated row by row.
    op.drop_index("ix_search_entry_token", table_name="search_entry")
    op.add_column(
        "search_entry",
        sa.Column(
            "record_tokens", sa.String(length=1000), nullable=False, server_default=sa.text("''")
        ),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute(_FILL_POSTGRESQL if postgresql else _FILL_SQLITE)
    op.create_index(
        "ix_search_entry_token",
        "search_entry",
        ["token", "kind", "ref_id", "record_tokens"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_search_entry_token", table_name="search_entry")
    with op.batch_alter_table("search_entry") as batch:
        batch.drop_column("record_tokens")
    op.create_index(
        "ix_search_entry_token", "search_entry", ["token", "kind", "ref_id"], unique=False
    )
