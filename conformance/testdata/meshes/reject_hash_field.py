#!/usr/bin/env python3
"""Bug: answers 400 to a notification carrying a `hash` field instead of ignoring it. Must fail:
MESH-9."""
import mesh


class RejectHashField(mesh.Mesh):
    def validate(self, headers, body):
        fields = super().validate(headers, body)
        if "hash" in fields:
            raise mesh.Rejected(400, "unknown field hash")
        return fields


mesh.main(RejectHashField)
