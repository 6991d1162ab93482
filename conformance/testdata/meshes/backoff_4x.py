#!/usr/bin/env python3
"""Bug: none; it must pass every rule. Its retry backoff grows 4x (1 s, 4 s, 16 s, ...): MESH-4
sets no growth factor, so a judge that assumes doubling must not call its silence a give-up."""
import mesh


class Backoff4x(mesh.Mesh):
    def backoff(self, attempt):
        a = self.args
        return min(a.backoff_min * 4 ** (attempt - 1), max(a.backoff_max, 64 * a.backoff_min))


mesh.main(Backoff4x)
