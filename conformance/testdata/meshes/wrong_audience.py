#!/usr/bin/env python3
"""Bug: signs its fetch tokens for another site's audience (https://other-site.azurewebsites.net),
and, like the base mesh, retries the 401s that earns. Must fail: MESH-3 (and only MESH-3: its
retries after a 401 are no fetches of a later rule's)."""
import mesh


class WrongAudience(mesh.Mesh):
    def claims(self, now):
        c = super().claims(now)
        c["aud"] = "https://other-site.azurewebsites.net"
        return c


mesh.main(WrongAudience)
