#!/usr/bin/env python3
"""Bug: gives up a failing fetch once half the retry budget has passed (5 of MESH-4's 10
minutes). Must fail: MESH-4 with --full (a window shorter than 5 minutes cannot see it)."""
import mesh


class HalfBudget(mesh.Mesh):
    def give_up(self, status, attempt, failing_for):
        return failing_for >= self.args.retry_budget / 2


mesh.main(HalfBudget)
