#!/usr/bin/env python3
"""Bug: answers 503 to a well-formed notification that arrives while a fetch has been waiting
for its answer for over 800 ms, instead of accepting it. Must fail: MESH-5 (where the harness
sends one during a held fetch; the 503 breaks MESH-1, a failure wherever it is seen)."""
import time

import mesh


class Busy503(mesh.Mesh):
    def fetch(self):
        self.fetch_started = time.monotonic()
        return super().fetch()

    def answer_notification(self, handler, headers, body):
        with self.cond:
            busy = self.fetching and time.monotonic() - self.fetch_started > 0.8
        if busy:
            return 503, "busy fetching"
        return super().answer_notification(handler, headers, body)


mesh.main(Busy503)
