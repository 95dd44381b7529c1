"""Search: the codes permanent apart in the token index

Revision ID: searchpg_0001
Revises: auditheads_0001
Create Date: 2026-12-05 07:10:00

`search_entry.is_code_permanent` marks the tokens shaped like a code permanent (4 letters,
then 8 digits: `trem04031609`), and the token index leads with it. A query typed in
letters never matches those tokens, but they sort among the names (`trem0…` just before
`tremblay`): the search walked past them, a third of the `tre…` entries on a base of
50,000 families. Now it walks the other part of the index only (see `SearchEntry`).
Filled here from the tokens already there, by the same shape the search tested until now.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "searchpg_0001"
down_revision: str | Sequence[str] | None = "auditheads_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FILL_SQLITE = (
    "UPDATE search_entry SET is_code_permanent = 1 WHERE length(token) = 12"
    " AND token GLOB '[a-z][a-z][a-z][a-z][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'"
)
_FILL_POSTGRESQL = (
    "UPDATE search_entry SET is_code_permanent = true WHERE length(token) = 12"
    " AND token ~ '^[a-z]{4}[0-9]{8}$'"
)
_COLUMNS = ["token", "kind", "ref_id", "record_tokens"]


def upgrade() -> None:
    # The index is built once, after the fill (a sort), not updated row by row.
    op.drop_index("ix_search_entry_token", table_name="search_entry")
    op.add_column(
        "search_entry",
        sa.Column("is_code_permanent", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute(_FILL_POSTGRESQL if postgresql else _FILL_SQLITE)
    op.create_index(
        "ix_search_entry_token", "search_entry", ["is_code_permanent", *_COLUMNS], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_search_entry_token", table_name="search_entry")
    with op.batch_alter_table("search_entry") as batch:
        batch.drop_column("is_code_permanent")
    op.create_index("ix_search_entry_token", "search_entry", _COLUMNS, unique=False)
