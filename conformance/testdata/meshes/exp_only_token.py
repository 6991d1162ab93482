#!/usr/bin/env python3
"""Bug: its fetch token carries iss, aud and exp only: no iat, no nbf, and a 24-hour lifetime
(TOK-2 requires iat and nbf; TOK-4 caps the lifetime at 1 hour). Must fail: MESH-3."""
import mesh


class ExpOnlyToken(mesh.Mesh):
    def claims(self, now):
        c = super().claims(now)
        del c["iat"], c["nbf"]
        c["exp"] = now + 24 * 3600
        return c


mesh.main(ExpOnlyToken)
