"""The public level's perturbation: the cell-key method, one calendar month at a time.

Every public count is a sum over the calendar months of its period of each month's *perturbed*
count. A month's count n of a cell (a metric such as `chat.by_concern.perpetrator`) is published
as `perturb(n, u)`, where u in [0, 1) is drawn from a keyed hash of the secret key, the cell's
identity (the metric, the month) and n itself:

- n = 0 stays 0;
- n from 1 to t-1 (t the threshold, 5) becomes 0 with probability (t-n)/t and t otherwise, so
  that on average it is n, and no count from 1 to t-1 is ever published;
- n >= t becomes n+d, d from -3 to 3, most often 0 (the distribution is `NOISE`); a result below
  t is mirrored (n-d), so a count of t or more never reads as fewer than t.

Why this shape (docs/privacy.md states the guarantee; docs/ARCHITECTURE.md the decision):
- The noise of a cell is a function of the secret, the cell and its count. Asking again, asking
  for the same month inside a longer period, or the same cell on another page, gives the same
  value: repetition tells nothing. When the count changes, the noise is drawn afresh, so
  watching a month's figure before and after a record was added does not give the difference.
- Periods are sums of months, so a longer period, a quarter, a year or any run of months carries
  nothing that its months do not: differencing nested or overlapping periods gives back exactly
  the perturbed months a reader could have asked for directly. Periods that are not whole months
  are not answered at the public level (statistics.release), so days cannot be differenced.
- A reader who knows this method (it is published here) and every month's published value
  knows of each month's true count only that it lies in `preimage(value)`: from 0 to t-1 for a
  value below t (so 0 cannot be told from 4), and within MAX_NOISE of the value otherwise.

The cell-key method of ONS, ABS TableBuilder and Eurostat's census draws u from record keys
summed into the cell. Here a public cell can only be formed one way, as (metric, month), so the
cell's identity and count give the same consistency; it needs no key in every record and
aggregate, and survives the disposal of records exactly as the counts do.
"""

import functools
import hashlib
import secrets
from bisect import bisect_right
from itertools import accumulate

from django.conf import settings

MAX_NOISE = 3
"""The largest change of a count of t or more (d in -MAX_NOISE..MAX_NOISE)."""

NOISE = {-3: 0.01, -2: 0.04, -1: 0.20, 0: 0.50, 1: 0.20, 2: 0.04, 3: 0.01}
"""The distribution of d for a count of t or more: mostly exact, rarely far."""

_NOISE_VALUES = sorted(NOISE)
_NOISE_CUMULATIVE = list(accumulate(NOISE[d] for d in _NOISE_VALUES))
assert abs(_NOISE_CUMULATIVE[-1] - 1) < 1e-9  # noqa: S101 - a wrong table is a programming error


def perturb(n: int, u: float, threshold: int) -> int:
    """The published value of a month's count n, for the cell's draw u in [0, 1)."""
    if n <= 0:
        return 0
    if n < threshold:
        return threshold if u < n / threshold else 0
    index = min(bisect_right(_NOISE_CUMULATIVE, u), len(_NOISE_VALUES) - 1)
    d = _NOISE_VALUES[index]
    return n + d if n + d >= threshold else n - d


def preimage(published: int, threshold: int) -> tuple[int, int]:
    """The true month counts that `perturb` can publish as `published`: (lowest, highest).

    What a reader who knows the method learns of a month's count from its published value.
    Raises ValueError for a value the method never publishes (1 to threshold-1, negative).
    """
    if published == 0:
        return 0, threshold - 1
    if published < threshold:
        raise ValueError(f"{published} is never published (1 to {threshold - 1} are not).")
    low = 1 if published == threshold else max(threshold, published - MAX_NOISE)
    return low, published + MAX_NOISE


@functools.lru_cache(maxsize=65536)
def draw(secret: bytes, identity: str, month: str, n: int) -> float:
    """The cell's u in [0, 1): a keyed hash (BLAKE2b in its keyed mode, a MAC) of its identity,
    month and count. Cached: a year's public figures draw a few thousand cells, the same ones
    each time the period is asked for."""
    digest = hashlib.blake2b(f"{identity}|{month}|{n}".encode(), key=secret, digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def disclosure_key() -> bytes:
    """The secret: SAMVERKAN_DISCLOSURE_KEY if set (tests, or an operator who keeps it outside
    the database), otherwise the database's DisclosureKey, made on first use."""
    configured = getattr(settings, "SAMVERKAN_DISCLOSURE_KEY", "")
    if configured:
        return hashlib.sha256(configured.encode()).digest()
    from samverkan.statistics.models import DisclosureKey  # noqa: PLC0415 - models load late

    # One row, pk 1: two processes making it at once both end with the one that was saved.
    row, _created = DisclosureKey.objects.get_or_create(
        pk=1, defaults={"secret": secrets.token_bytes(32)}
    )
    return bytes(row.secret)
