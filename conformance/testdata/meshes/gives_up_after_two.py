#!/usr/bin/env python3
"""Bug: gives up a failing fetch after two retries, long before MESH-4's 10 minutes. Must fail:
MESH-4 (in the default 20 s window)."""
import mesh


class GivesUpAfterTwo(mesh.Mesh):
    def give_up(self, status, attempt, failing_for):
        return attempt >= 3


mesh.main(GivesUpAfterTwo)
