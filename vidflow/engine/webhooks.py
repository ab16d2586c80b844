"""Completion webhooks: POST {"customer_id", "batch_id", "status"}, retried, never blocking.

The reference: the endpoint must answer 2xx within 10 seconds, or the call may be
retried. Each delivery runs in its own daemon thread, so a slow receiver never holds up a
pipeline worker; non-2xx answers and connection errors are retried with backoff. A URL the
outbound guard refuses (a private address the operator did not open) is never sent to.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from vidflow.engine import outbound
from vidflow.engine.outbound import CLOSED, Opening, OutboundFailed, OutboundRefused

log = logging.getLogger(__name__)

TIMEOUT = 10.0
ATTEMPTS = 4
BACKOFF = (0.5, 2.0, 5.0)  # seconds before the 2nd, 3rd, 4th attempt


@dataclass(frozen=True)
class Delivery:
    url: str
    customer_id: str
    batch_id: str
    status: str

    @property
    def payload(self) -> dict[str, str]:
        return {"customer_id": self.customer_id, "batch_id": self.batch_id,
                "status": self.status}


def deliver(delivery: Delivery, *, attempts: int = ATTEMPTS,
            backoff: tuple[float, ...] = BACKOFF, timeout: float = TIMEOUT,
            opening: Opening = CLOSED) -> bool:
    """POST until a 2xx answer or the attempts run out; True when delivered."""
    for attempt in range(attempts):
        if attempt:
            time.sleep(backoff[min(attempt - 1, len(backoff) - 1)])
        try:
            status = outbound.post_json(delivery.url, delivery.payload, opening=opening,
                                        timeout=timeout)
            if 200 <= status < 300:
                return True
            log.warning("webhook for %s answered %s (attempt %d/%d)", delivery.batch_id,
                        status, attempt + 1, attempts)
        except OutboundRefused:
            log.warning("webhook for %s not sent: %s is a private address (see "
                        "VIDFLOW_ALLOW_NETWORKS)", delivery.batch_id,
                        outbound.display_url(delivery.url))
            return False  # asking again cannot change the answer
        except OutboundFailed as exc:
            log.warning("webhook for %s failed: %s (attempt %d/%d)", delivery.batch_id,
                        exc.reason, attempt + 1, attempts)
    return False


def send_in_background(delivery: Delivery, **kwargs: object) -> threading.Thread:
    thread = threading.Thread(target=deliver, args=(delivery,), kwargs=kwargs,
                              name=f"webhook-{delivery.batch_id[:8]}", daemon=True)
    thread.start()
    return thread
