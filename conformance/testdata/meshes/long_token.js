#!/usr/bin/env node
// Bug: its fetch tokens live 2 hours (exp - iat = 7200 s); TOK-4 caps the lifetime at 1 hour.
// Must fail: MESH-3.
'use strict';
const { Mesh, main } = require('./mesh.js');

class LongToken extends Mesh {
  claims(now) {
    return { ...super.claims(now), exp: now + 7200 };
  }
}

main(LongToken);
