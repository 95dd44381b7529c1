"""Typer's own words (« Usage: », « Show this message and exit. », « Error: No such
command », « [env var: …; default: …] », « Missing option », « <int> »), in our language.

Typer (pinned, 0.29) carries its own copy of Click (`typer._click`). A few of its
messages go through the standard library's `gettext` (`typer.core` imports `gettext as
_`): that name is pointed at our catalog. The others are written in English in the code
(the usage line, the --help option, the error lines and the messages of its
exceptions, the type of a value, pydantic's complaint about a value): `install()` wraps
the few methods that print them, and `translate_error` rewords each message it knows by
its pattern; an unknown message (a new Typer) is shown as it was. Every wording is a
French source string of our catalog, so `--lang en` reads English as ours does.
`tests/cli/test_library_words.py` runs the command line in both languages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from registrar_tui.i18n import N_, _

TYPER_MESSAGES: dict[str, str] = {
    "Options": N_("Options"),
    "Arguments": N_("Arguments"),
    "Commands": N_("Commandes"),
    "Aborted!": N_("Abandon."),
    "env var: {var}": N_("variable d'environnement : {var}"),
    "default: {default}": N_("par défaut : {default}"),
    "required": N_("obligatoire"),
    "(dynamic)": N_("(calculé)"),
    "Missing command.": N_("Commande manquante."),
    "No such command {name!r}.": N_("Commande inconnue : « {name} »."),
}
"""The English of `typer.core`'s gettext calls → our French source string."""

TYPE_LABELS: dict[str, str] = {
    "int": N_("entier"),
    "int range": N_("entier"),
    "float": N_("nombre"),
    "float range": N_("nombre"),
    "str": N_("texte"),
    "text": N_("texte"),
    "path": N_("chemin"),
    "file": N_("fichier"),
    "directory": N_("dossier"),
    "datetime": N_("date"),
    "bool": N_("oui|non"),
}
"""The type Typer shows beside an option ("--seed <int>")."""

PARAMETER = "parameter"
PARAMETER_KINDS: dict[str, str] = {
    "option": N_("Option manquante : {name}."),
    "argument": N_("Argument manquant : {name}."),
    "parameter": N_("Paramètre manquant : {name}."),
}


def library_gettext(message: str) -> str:
    """`typer.core`'s `_()`: our wording of `message` (as is when unknown)."""
    french = TYPER_MESSAGES.get(message)
    return _(french) if french is not None else message


def _quoted(hint: str) -> str:
    """Click's 'name' quotes → French « name » (English keeps them)."""
    from registrar_tui.i18n import DEFAULT_LANGUAGE, current_language

    if current_language() != DEFAULT_LANGUAGE:
        return hint
    return re.sub(r"'([^']*)'", lambda m: f"« {m.group(1)} »", hint)


def _value_complaint(message: str) -> str:
    """Pydantic's complaint about a typed value, reworded when known."""
    patterns: list[tuple[str, Callable[[re.Match[str]], str]]] = [
        (
            r"Input should be a valid integer.*",
            lambda m: _("un nombre entier est attendu"),
        ),
        (r"Input should be a valid number.*", lambda m: _("un nombre est attendu")),
        (r"Input should be a valid boolean.*", lambda m: _("oui ou non est attendu")),
        (r"Input should be a valid date.*", lambda m: _("une date AAAA-MM-JJ est attendue")),
        (
            r"Input should be greater than or equal to (\S+)",
            lambda m: _("la valeur doit être au moins {minimum}").format(minimum=m.group(1)),
        ),
        (
            r"Input should be less than or equal to (\S+)",
            lambda m: _("la valeur doit être au plus {maximum}").format(maximum=m.group(1)),
        ),
        (
            r"Input should be greater than (\S+)",
            lambda m: _("la valeur doit dépasser {minimum}").format(minimum=m.group(1)),
        ),
        (
            r"Input should be less than (\S+)",
            lambda m: _("la valeur doit être inférieure à {maximum}").format(maximum=m.group(1)),
        ),
    ]
    for pattern, reword in patterns:
        found = re.fullmatch(pattern, message)
        if found:
            return reword(found)
    return message


def translate_error(message: str) -> str:
    """A usage error of the command line, in the UI language (as is when unknown)."""
    suggestion = re.fullmatch(r"(.+?)\.? Did you mean (.+)\?", message, re.DOTALL)
    if suggestion:
        return _("{message} Vouliez-vous dire {suggestions} ?").format(
            message=translate_error(suggestion.group(1).rstrip(".") + "."),
            suggestions=_quoted(suggestion.group(2)),
        )
    patterns: list[tuple[str, Callable[[re.Match[str]], str]]] = [
        (
            r"No such option: (\S+)(?: \(Possible options: (.+)\))?",
            lambda m: (
                _("Option inconnue : {name}.").format(name=m.group(1))
                + (
                    " " + _("Options possibles : {names}.").format(names=m.group(2))
                    if m.group(2)
                    else ""
                )
            ),
        ),
        (
            r"Missing (option|argument|parameter) (.+?)\.(?: (.*))?",
            lambda m: (
                _(PARAMETER_KINDS[m.group(1)]).format(name=_quoted(m.group(2)))
                + (" " + m.group(3) if m.group(3) else "")
            ),
        ),
        (
            r"Missing parameter: (.+)",
            lambda m: _(PARAMETER_KINDS[PARAMETER]).format(name=m.group(1)),
        ),
        (
            r"Invalid value for (.+?): (.+)",
            lambda m: _("Valeur invalide pour {name} : {reason}.").format(
                name=_quoted(m.group(1)), reason=_value_complaint(m.group(2)).rstrip(".")
            ),
        ),
        (
            r"Invalid value: (.+)",
            lambda m: _("Valeur invalide : {reason}.").format(
                reason=_value_complaint(m.group(1)).rstrip(".")
            ),
        ),
        (
            r"Option ('[^']+') requires an argument\.",
            lambda m: _("L'option {name} demande une valeur.").format(name=_quoted(m.group(1))),
        ),
        (
            r"Option ('[^']+') requires (\d+) arguments\.",
            lambda m: _("L'option {name} demande {nargs} valeurs.").format(
                name=_quoted(m.group(1)), nargs=m.group(2)
            ),
        ),
        (
            r"Option ('[^']+') does not take a value\.",
            lambda m: _("L'option {name} ne prend pas de valeur.").format(name=_quoted(m.group(1))),
        ),
        (
            r"Argument ('[^']+') takes (\d+) values\.",
            lambda m: _("L'argument {name} demande {nargs} valeurs.").format(
                name=_quoted(m.group(1)), nargs=m.group(2)
            ),
        ),
        (
            r"Got unexpected extra argument\(s\) \((.*)\)",
            lambda m: _("En trop : {arguments}.").format(arguments=m.group(1)),
        ),
    ]
    for pattern, reword in patterns:
        found = re.fullmatch(pattern, message, re.DOTALL)
        if found:
            return reword(found)
    return message


def _usage_arguments(args: str) -> str:
    """The placeholders of a usage line ("[OPTIONS] COMMAND [ARGS]...")."""
    return (
        args.replace("[OPTIONS]", _("[OPTIONS]"))
        .replace("COMMAND [ARGS]...", _("COMMANDE [ARGUMENTS]…"))
        .replace("[ARGS]...", _("[ARGUMENTS]…"))
    )


def _type_label(shown: str | None) -> str | None:
    if not shown or not (shown.startswith("<") and shown.endswith(">")):
        return shown
    label = shown[1:-1]
    return f"<{_(TYPE_LABELS[label])}>" if label in TYPE_LABELS else shown


def summary(help_text: str) -> str:
    """A command's line in its group's list: the first clause of its help, whole.

    Click cuts a long first sentence at 45 characters with "..." ("Comptes du personnel
    (commis, registraires,..."): the clause before the first « . », « ; » or
    parenthesis is kept instead, and wrapped by the list when it is still long.
    """
    text = " ".join(help_text.split("\n\n", 1)[0].split())
    if text.startswith("\b "):
        text = text[2:]
    clause = re.split(r"\.(?:\s|$)|\s*[;(]", text, maxsplit=1)[0].strip()
    return (clause or text).rstrip(".")


def _spaced_help_record(original: Callable[..., Any]) -> Callable[..., Any]:
    """An option's help with its "[env var: …; default: …]" spaced the French way
    (« … ; … »): Typer joins them with "; " in any language."""

    def help_record(self: Any, ctx: Any) -> Any:
        from registrar_tui.i18n import DEFAULT_LANGUAGE, current_language

        record = original(self, ctx)
        if record is None or current_language() != DEFAULT_LANGUAGE:
            return record
        names, help_text = record
        spaced = re.sub(
            r"\[([^\[\]]*)\]$", lambda m: "[" + m.group(1).replace("; ", " ; ") + "]", help_text
        )
        return names, spaced

    return help_record


def _show_error(error: Any, file: Any = None) -> None:
    """`UsageError.show` in the UI language: the usage line, where to find help, why."""
    from typer._click._compat import get_text_stderr
    from typer._click.utils import echo

    if file is None:
        file = get_text_stderr()
    ctx = getattr(error, "ctx", None)
    color = None
    if ctx is not None:
        color = ctx.color
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = (
                _("Aide : {command} {option}").format(
                    command=ctx.command_path, option=ctx.help_option_names[0]
                )
                + "\n"
            )
        echo(f"{ctx.get_usage()}\n{hint}", file=file, color=color)
    echo(
        _("Erreur : {message}").format(message=translate_error(error.format_message())),
        file=file,
        color=color if ctx is not None else error.show_color,
    )


_INSTALLED: dict[str, bool] = {}


def install() -> None:
    """Route Typer's messages through our catalog (once per process; idempotent)."""
    if _INSTALLED:
        return
    import typer.core
    from typer._click import exceptions, formatting
    from typer._click.core import Command

    typer.core._ = library_gettext  # type: ignore[attr-defined]

    write_usage = formatting.HelpFormatter.write_usage

    def translated_usage(
        self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
    ) -> None:
        shown = prefix if prefix is not None else _("Utilisation :") + " "
        write_usage(self, prog, _usage_arguments(args), shown)

    formatting.HelpFormatter.write_usage = translated_usage  # type: ignore[method-assign]

    def translated_heading(self: formatting.HelpFormatter, heading: str) -> None:
        # "Commandes :" in French (a space before the colon), "Commands:" in English.
        line = _("{heading} :").format(heading=heading)
        self.write(f"{'':>{self.current_indent}}{line}\n")

    formatting.HelpFormatter.write_heading = translated_heading  # type: ignore[method-assign]

    get_help_option = Command.get_help_option

    def translated_help_option(self: Command, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = _("Affiche cette aide et quitte.")
        return option

    Command.get_help_option = translated_help_option  # type: ignore[method-assign]

    def short_help(self: Command, limit: int = 45) -> str:
        if self.short_help:
            return " ".join(self.short_help.split())
        return summary(self.help or "")

    Command.get_short_help_str = short_help  # type: ignore[method-assign]

    display_type = typer.core._TyperParameter.display_type

    def translated_type(self: Any, ctx: Any) -> Any:
        return _type_label(display_type(self, ctx))

    typer.core._TyperParameter.display_type = translated_type  # type: ignore[method-assign]

    for parameter in (typer.core.TyperOption, typer.core.TyperArgument):
        parameter.get_help_record = _spaced_help_record(parameter.get_help_record)  # type: ignore[method-assign]

    def show_click_error(self: Any, file: Any = None) -> None:
        from typer._click.utils import echo

        message = translate_error(self.format_message())
        echo(_("Erreur : {message}").format(message=message), file=file, err=file is None)

    exceptions.ClickException.show = show_click_error  # type: ignore[method-assign]
    exceptions.UsageError.show = _show_error  # type: ignore[method-assign,assignment]
    _INSTALLED["typer"] = True
