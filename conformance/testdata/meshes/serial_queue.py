#!/usr/bin/env python3
"""Bug: handles notifications one at a time, 50 ms each, and answers 503 when more than 8 are
waiting. Must fail: MESH-8."""
import threading
import time

import mesh


class SerialQueue(mesh.Mesh):
    def __init__(self, args):
        super().__init__(args)
        self.one = threading.Lock()
        self.waiting = 0
        self.count = threading.Lock()

    def answer_notification(self, handler, headers, body):
        with self.count:
            if self.waiting >= 8:
                return 503, "busy"
            self.waiting += 1
        try:
            with self.one:
                time.sleep(0.05)
                return super().answer_notification(handler, headers, body)
        finally:
            with self.count:
                self.waiting -= 1


mesh.main(SerialQueue)
