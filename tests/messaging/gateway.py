"""A fake SMS gateway for the worker-kill test: slow, and it records every attempt in a
file shared across processes. Like real gateways it accepts an out-id (the outbox row
id) and delivers each id once."""

import fcntl
import os
import time


class SlowFileSmsBackend:
    def send(self, to: str, subject: str, body: str, key: str) -> None:
        time.sleep(float(os.environ.get("SMS_DELAY", "0.3")))
        path = os.environ["SMS_LOG_FILE"]
        with open(path, "a+", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.seek(0)
            delivered = {line.split("\t")[1] for line in f.read().splitlines() if line.startswith("delivered\t")}
            f.write(f"{'duplicate' if key in delivered else 'delivered'}\t{key}\t{to}\n")
            f.flush()
            os.fsync(f.fileno())
