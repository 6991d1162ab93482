#!/usr/bin/env python3
"""Bug: takes an empty operation (`operation=`) for update-triggers: answers 200 and fetches.
Must fail: MESH-7."""
import mesh


class AcceptEmptyOperation(mesh.Mesh):
    def validate(self, headers, body):
        if body == b"operation=":
            body = b"operation=update-triggers"
        return super().validate(headers, body)


mesh.main(AcceptEmptyOperation)
