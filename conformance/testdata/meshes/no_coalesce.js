#!/usr/bin/env node
// Bug: starts a fetch round (with its retries) at once for every notification, alongside any under
// way: no coalescing.
// Must fail: MESH-6.
'use strict';
const { Mesh, main } = require('./mesh.js');

class NoCoalesce extends Mesh {
  notified(fields) {
    this.round();
  }
}

main(NoCoalesce);
