"""The build's one step beyond pyproject.toml: a wheel carries compiled catalogs.

`make catalogs` compiles the `.mo` files in place for a checkout (they are not in git);
a wheel or an sdist built on a fresh clone (`python -m build`) compiles them here, with
Babel (a build requirement, pyproject.toml), next to the `.po` files in the build.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    """build_py, then every `i18n/<language>/LC_MESSAGES/*.po` compiled to its `.mo`."""

    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(Path("registrar_tui", "i18n").glob("*/LC_MESSAGES/*.po")):
            target = Path(self.build_lib) / po.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            with target.open("wb") as compiled:
                write_mo(compiled, catalog, use_fuzzy=True)


setup(cmdclass={"build_py": BuildWithCatalogs})
