"""The chart of accounts the journal posts to: which general-ledger account each fee code,
payment method, refund method, the receivables and the family credit go to.

Stored as shared settings (`app_setting`, keys `account.…`): a handful of key → value
pairs an administrator changes, read by every terminal, audited like any setting — no
table of its own is needed (and no migration). Keys:

    account.receivable              accounts receivable (what families owe)
    account.credit                  family credit (customer deposits: money paid, not owed)
    account.method.<method>         money received by a payment method (cash, debit, …)
    account.refund.<method>         money given back (cash, cheque)
    account.fee.<CODE>              revenue of a fee code (`SCOL-PIA`), or a pattern:
    account.fee.<PREFIX>*           every code starting with PREFIX (`ACT-*`: activities),
    account.fee.*                   every other code (a catch-all the admin chooses)

The balance-sheet accounts have documented defaults (`DEFAULTS`, shown as such by
`accounts list`); a refund method without an account of its own posts to the account of
the payment method of the same name. Fee codes have NO default: the journal refuses a
period holding a fee code that no account (exact, pattern or catch-all) takes, naming
the codes, so no amount is ever put nowhere.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import union
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import AppSetting, FeeScheduleItem, InvoiceLine
from registrar_tui.models.base import PaymentMethod, RefundMethod, Role
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.core.text import safe_text

PREFIX = "account."
ACCOUNT_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z ._:-]{0,19}$")
FEE_PATTERN = re.compile(r"^(\*|[^\s*]{1,16}\*?)$")
AUDIT_ACTION = "account.set"


class AccountKind(enum.StrEnum):
    """What an account is set for (`accounts set KIND …`)."""

    FEE = "fee"
    METHOD = "method"
    REFUND = "refund"
    RECEIVABLE = "receivable"
    CREDIT = "credit"


DEFAULTS: dict[tuple[AccountKind, str], str] = {
    (AccountKind.RECEIVABLE, ""): "1200",
    (AccountKind.CREDIT, ""): "2400",
    (AccountKind.METHOD, PaymentMethod.CASH.value): "1010",
    (AccountKind.METHOD, PaymentMethod.CHEQUE.value): "1020",
    (AccountKind.METHOD, PaymentMethod.CERTIFIED_CHEQUE.value): "1020",
    (AccountKind.METHOD, PaymentMethod.DEBIT.value): "1030",
    (AccountKind.METHOD, PaymentMethod.CREDIT_CARD.value): "1040",
    (AccountKind.METHOD, PaymentMethod.ONLINE.value): "1050",
}
"""The documented defaults: 1010 cash on hand, 1020 bank (cheques), 1030 debit card
settlements, 1040 credit card settlements, 1050 online (processor) settlements,
1200 accounts receivable, 2400 customer deposits (family credit)."""


@dataclass(frozen=True)
class AccountSetting:
    """One line of `accounts list`: what posts where, and whether it is a default."""

    kind: AccountKind
    key: str
    """The fee code or pattern, the method; "" for receivable and credit."""
    account: str | None
    """None: a fee code in use that no account takes."""
    is_default: bool = False
    in_use: bool = True
    """False for a fee account set for a code no invoice or fee schedule holds (yet)."""


@dataclass(frozen=True)
class ChartOfAccounts:
    """The accounts in force: every setting with the defaults filled in."""

    receivable: str
    credit: str
    methods: dict[PaymentMethod, str]
    refunds: dict[RefundMethod, str]
    fees: dict[str, str]
    """Fee code, `PREFIX*` pattern or `*` → account."""

    def fee_account(self, code: str) -> str | None:
        """The account of a fee code: its own, else the longest pattern, else `*`."""
        if code in self.fees:
            return self.fees[code]
        best: tuple[int, str] | None = None
        for pattern, account in self.fees.items():
            matches = pattern.endswith("*") and code.startswith(pattern[:-1])
            if matches and (best is None or len(pattern) > best[0]):
                best = (len(pattern), account)
        return best[1] if best is not None else None


def _key(kind: AccountKind, key: str) -> str:
    return f"{PREFIX}{kind.value}" + (f".{key}" if key else "")


def _stored(uow: UnitOfWork) -> dict[tuple[AccountKind, str], str]:
    rows = uow.session.exec(
        select(AppSetting).where(col(AppSetting.key).startswith(PREFIX, autoescape=True))
    ).all()
    found: dict[tuple[AccountKind, str], str] = {}
    for row in rows:
        kind_text, _, key = row.key.removeprefix(PREFIX).partition(".")
        try:
            kind = AccountKind(kind_text)
        except ValueError:
            continue
        found[(kind, key)] = row.value
    return found


def chart_of_accounts(uow: UnitOfWork) -> ChartOfAccounts:
    """The accounts in force now (settings, then the defaults)."""
    stored = {**DEFAULTS, **_stored(uow)}
    methods = {method: stored[(AccountKind.METHOD, method.value)] for method in PaymentMethod}
    refunds = {
        method: stored.get((AccountKind.REFUND, method.value), methods[PaymentMethod(method.value)])
        for method in RefundMethod
    }
    return ChartOfAccounts(
        receivable=stored[(AccountKind.RECEIVABLE, "")],
        credit=stored[(AccountKind.CREDIT, "")],
        methods=methods,
        refunds=refunds,
        fees={key: account for (kind, key), account in stored.items() if kind is AccountKind.FEE},
    )


def fee_codes_in_use(uow: UnitOfWork) -> list[str]:
    """Every fee code an invoice line or a term's fee schedule holds, sorted."""
    query = union(select(InvoiceLine.fee_code).distinct(), select(FeeScheduleItem.code).distinct())
    return sorted({str(code) for (code,) in uow.session.execute(query)})


def unmapped_fee_codes(chart: ChartOfAccounts, codes: Iterable[str]) -> list[str]:
    """The codes among `codes` that no account takes, sorted."""
    return sorted({code for code in codes if chart.fee_account(code) is None})


def account_settings(uow: UnitOfWork) -> list[AccountSetting]:
    """What `accounts list` shows: receivable, credit, methods, refunds, then the fee
    accounts set and the fee codes in use, with the account each one posts to (None:
    none takes it)."""
    stored = _stored(uow)
    chart = chart_of_accounts(uow)

    def setting(kind: AccountKind, key: str) -> AccountSetting:
        own = stored.get((kind, key))
        if own is not None:
            return AccountSetting(kind, key, own)
        if kind is AccountKind.REFUND:
            return AccountSetting(kind, key, chart.refunds[RefundMethod(key)], is_default=True)
        return AccountSetting(kind, key, DEFAULTS[(kind, key)], is_default=True)

    rows = [setting(AccountKind.RECEIVABLE, ""), setting(AccountKind.CREDIT, "")]
    rows += [setting(AccountKind.METHOD, method.value) for method in PaymentMethod]
    rows += [setting(AccountKind.REFUND, method.value) for method in RefundMethod]
    in_use = fee_codes_in_use(uow)
    for pattern in sorted(chart.fees):
        is_used = pattern in in_use or (
            pattern.endswith("*") and any(code.startswith(pattern[:-1]) for code in in_use)
        )
        rows.append(AccountSetting(AccountKind.FEE, pattern, chart.fees[pattern], in_use=is_used))
    rows += [
        AccountSetting(AccountKind.FEE, code, chart.fee_account(code))
        for code in in_use
        if code not in chart.fees
    ]
    return rows


def _valid_key(kind: AccountKind, key: str) -> str:
    cleaned = safe_text(key, field="key", max_length=17).strip()
    if kind in (AccountKind.RECEIVABLE, AccountKind.CREDIT):
        return ""
    if kind is AccountKind.METHOD:
        if cleaned not in {method.value for method in PaymentMethod}:
            raise InvalidInput(
                N_("Mode de paiement inconnu « {value} » (choix : {choices})."),
                field="key",
                value=cleaned,
                choices=", ".join(method.value for method in PaymentMethod),
            )
        return cleaned
    if kind is AccountKind.REFUND:
        if cleaned not in {method.value for method in RefundMethod}:
            raise InvalidInput(
                N_("Mode de remboursement inconnu « {value} » (choix : {choices})."),
                field="key",
                value=cleaned,
                choices=", ".join(method.value for method in RefundMethod),
            )
        return cleaned
    if not FEE_PATTERN.match(cleaned):
        raise InvalidInput(
            N_(
                "Code de frais invalide « {value} » : un code (16 caractères au plus, sans "
                "espace), un préfixe suivi de * (ACT-*) ou * seul."
            ),
            field="key",
            value=cleaned,
        )
    return cleaned


def set_account(
    uow: UnitOfWork, kind: AccountKind | str, key: str, account: str, actor_id: int
) -> AccountSetting:
    """Post `kind`/`key` (a fee code or pattern, a method; "" for receivable and credit)
    to `account` from now on, audited with the account it replaces. Exports already
    written are not changed; the next export uses the new account for every period.

    Refuses: PermissionDenied (not an active admin), InvalidInput (unknown kind or method,
    a fee code that is not one, an account that is not 1–20 letters, digits, spaces,
    `.`, `_`, `:` or `-`, starting with a letter or a digit).
    """
    active_staff(uow, actor_id, roles=[Role.ADMIN])
    try:
        kind = AccountKind(kind)
    except ValueError:
        raise InvalidInput(
            N_("Type de compte inconnu « {value} » (choix : {choices})."),
            field="kind",
            value=str(kind),
            choices=", ".join(k.value for k in AccountKind),
        ) from None
    wanted_key = _valid_key(kind, key)
    cleaned = safe_text(account, field="account", max_length=40).strip()
    if not ACCOUNT_PATTERN.match(cleaned):
        raise InvalidInput(
            N_(
                "Numéro de compte invalide « {value} » : 1 à 20 lettres, chiffres, espaces, "
                "points, tirets, deux-points ou soulignés, commençant par une lettre ou un "
                "chiffre."
            ),
            field="account",
            value=cleaned,
        )
    setting_key = _key(kind, wanted_key)
    found = uow.session.get(AppSetting, setting_key)
    before = {"account": found.value} if found is not None else {}
    if found is None:
        found = AppSetting(key=setting_key, value=cleaned)
    else:
        found.value = cleaned
    uow.session.add(found)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        AUDIT_ACTION,
        "app_setting",
        None,
        before,
        {"kind": kind.value, "key": wanted_key, "account": cleaned},
    )
    return AccountSetting(kind, wanted_key, cleaned)
