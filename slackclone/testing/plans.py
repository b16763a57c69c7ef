"""What PostgreSQL holds prepared on this thread's connection, for tests of prepared statements."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class PreparedStatement:
    statement: str
    generic_plans: int  # runs that reused the plan made once for any parameters
    custom_plans: int  # runs planned for their own parameters


def prepared_statements(containing: str) -> list[PreparedStatement]:
    """The statements prepared on the connection whose text contains `containing` (PostgreSQL's
    pg_prepared_statements, which counts how each was planned)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE strpos(statement, %s) > 0",
            [containing],
        )
        return [PreparedStatement(*row) for row in cursor.fetchall()]
