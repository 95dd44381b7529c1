"""`registrar-tui`: the console script. Plain `registrar-tui [--db URL] [--lang L]` starts
the app without loading the command-line library (Typer and Click cost about 100 ms before
the login screen could paint); anything else (a command, --help, an unknown option) goes
to the full command line in `cli.py`, which gives the same checks and messages.
"""

from __future__ import annotations

import os
import sys

from registrar_tui.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, set_language

ENV_LANGUAGE = "REGISTRAR_LANG"  # as in cli.py


def plain_options(argv: list[str]) -> dict[str, str] | None:
    """`{"--db": …, "--lang": …}` when argv holds only those two options, else None."""
    found: dict[str, str] = {}
    index = 0
    while index < len(argv):
        name, _sep, value = argv[index].partition("=")
        if name not in ("--db", "--lang") or name in found:
            return None
        if not _sep:
            if index + 1 >= len(argv):
                return None
            value = argv[index + 1]
            index += 1
        found[name] = value
        index += 1
    return found


def _run(db: str | None, language: str) -> int:
    """Check a SQLite file's schema with the standard library, then run the app."""
    from registrar_tui.dburl import resolve_url, sqlite_path
    from registrar_tui.services.core.errors import DomainError, SchemaOutOfDate

    url = resolve_url(db)
    path = sqlite_path(url)
    try:
        from registrar_tui.services.documents.output import receipt_format

        receipt_format()  # a typo in REGISTRAR_RECEIPT_FORMAT stops here, not at a payment
    except DomainError as error:
        print(error.translated(), file=sys.stderr)
        return 1
    if path is not None:
        try:
            if not path.exists():
                raise SchemaOutOfDate(
                    N_(
                        "La base de données {path} n'existe pas : "
                        "lancez « registrar-tui db upgrade »."
                    ),
                    path=str(path),
                )
            from registrar_tui.migrate import check_revision, sqlite_file_revision

            check_revision(sqlite_file_revision(path))
        except DomainError as error:
            print(error.translated(), file=sys.stderr)
            return 1
    from registrar_tui.app import run_app

    run_app(url, language)
    return 0


def main() -> None:
    """Console script entry point."""
    options = plain_options(sys.argv[1:])
    language = (options or {}).get("--lang") or os.environ.get(ENV_LANGUAGE, DEFAULT_LANGUAGE)
    if options is None or language not in LANGUAGES:
        from registrar_tui.cli.main import main as full_command_line

        full_command_line()
        return
    set_language(language)
    sys.exit(_run(options.get("--db"), language))
