"""E-mail backends for tests that run real processes: they send nowhere, slowly or not at all."""

import json
import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class SlowFileBackend(BaseEmailBackend):
    """Takes a while per message (like a real mail server) and appends each to a JSON-lines file
    named after the process, in EMAIL_FILE_PATH."""

    def send_messages(self, email_messages) -> int:  # noqa: ANN001
        folder = Path(os.environ["EMAIL_FILE_PATH"])
        for message in email_messages:
            started = time.monotonic()
            time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0.3")))
            with (folder / f"sent-{os.getpid()}.jsonl").open("a") as out:
                out.write(
                    json.dumps(
                        {
                            "to": message.to,
                            "subject": message.subject,
                            "started": started,
                            "ended": time.monotonic(),
                        }
                    )
                    + "\n"
                )
        return len(email_messages)


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses everything."""

    def send_messages(self, email_messages) -> int:  # noqa: ANN001
        raise ConnectionRefusedError("the mail server is down")
