"""A third-party receipt sink for tests: copies each body to ``$SINK_COPY``, raises when ``$SINK_RAISES`` is set."""

import json
import os

from vectimus.sinks import ReceiptSink


class CopySink(ReceiptSink):
    name = "copy"

    def emit(self, body, ctx):
        if os.environ.get("SINK_RAISES"):
            raise ConnectionError("the organisation's store is unreachable")
        with open(os.environ["SINK_COPY"], "a", encoding="utf-8") as fh:
            fh.write(json.dumps(body) + "\n")


def register_receipt_sinks(register):
    register(CopySink())
