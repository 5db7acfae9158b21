"""Attaching a list of Urssaf accounts to a firm, for operators (``attach_clients``).

A list is text with one account number per line. Spaces, dots and dashes inside
a number are ignored, blank lines are skipped and ``#`` starts a comment.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from portefeuilles.accounts.models import Firm
from portefeuilles.referential import identifiers
from portefeuilles.referential.models import UrssafAccount

from .models import FirmClient

logger = logging.getLogger(__name__)

# Numbers looked up per query, under SQLite's historical limit of 999 parameters.
CHUNK_SIZE = 900


@dataclass(frozen=True)
class LineRejection:
    line: int
    message: str


@dataclass
class AttachSummary:
    attached: int = 0
    already_attached: int = 0
    rejected: int = 0


def parse_lines(lines: Iterable[str]) -> Iterable[tuple[int, str] | LineRejection]:
    """Yield (line number, account number) for each number, or a LineRejection."""
    for line_number, line in enumerate(lines, start=1):
        raw = line.split("#", 1)[0].strip()
        if not raw:
            continue
        number = identifiers.normalize(raw)
        if not identifiers.is_valid_account_number(number):
            yield LineRejection(
                line_number,
                _("« %(value)s » n'est pas un numéro de compte : il compte 18 chiffres.")
                % {"value": raw},
            )
            continue
        yield line_number, number


@transaction.atomic
def attach_accounts(
    firm: Firm,
    lines: Iterable[str],
    on_reject: Callable[[LineRejection], None] | None = None,
) -> AttachSummary:
    """Attach each listed account to ``firm`` as a FirmClient, in one transaction.

    A malformed number or one missing from the referential is passed to
    ``on_reject`` and skipped. A number listed twice counts once as attached,
    then as already attached.
    """
    summary = AttachSummary()

    def reject(rejection: LineRejection) -> None:
        summary.rejected += 1
        if on_reject is not None:
            on_reject(rejection)

    # Lines are checked against the referential a chunk at a time, and rejections
    # wait in ``pending`` so they are reported in line order.
    pending: list[tuple[int, str] | LineRejection] = []
    for item in parse_lines(lines):
        pending.append(item)
        if len(pending) >= CHUNK_SIZE:
            _attach_chunk(firm, pending, summary, reject)
            pending = []
    if pending:
        _attach_chunk(firm, pending, summary, reject)

    logger.info(
        "client list attached firm=%s attached=%s already=%s rejected=%s",
        firm.pk,
        summary.attached,
        summary.already_attached,
        summary.rejected,
    )
    return summary


def _attach_chunk(firm, pending, summary: AttachSummary, reject) -> None:
    numbers = {item[1] for item in pending if not isinstance(item, LineRejection)}
    account_ids = dict(UrssafAccount.objects.filter(number__in=numbers).values_list("number", "pk"))
    attached_ids = set(
        FirmClient.objects.filter(firm=firm, account_id__in=account_ids.values()).values_list(
            "account_id", flat=True
        )
    )
    new_links = []
    for item in pending:
        if isinstance(item, LineRejection):
            reject(item)
            continue
        line_number, number = item
        account_id = account_ids.get(number)
        if account_id is None:
            reject(
                LineRejection(
                    line_number,
                    _(
                        "le compte %(number)s est inconnu du référentiel : vérifiez le "
                        "numéro, ou importez d'abord l'extrait de comptes qui le contient."
                    )
                    % {"number": number},
                )
            )
        elif account_id in attached_ids:
            summary.already_attached += 1
        else:
            attached_ids.add(account_id)
            new_links.append(FirmClient(firm=firm, account_id=account_id))
            summary.attached += 1
    FirmClient.objects.bulk_create(new_links, ignore_conflicts=True)
