"""Password hashes for seeded staff accounts: real argon2id hashes, one per password.

A hash costs 0.1–0.2 s of CPU (argon2id, 19 MiB, 2 passes: the production parameters).
Seeds hash the same few passwords in every test, so each worker hashes each password
once and reuses it; signing in still verifies it with the production hasher. Tests of
hashing itself (fresh salts, rehash) use `registrar_tui.services.staff.passwords`.
"""

from __future__ import annotations

import functools

from registrar_tui.services.staff import passwords

hash_password = functools.cache(passwords.hash_password)
