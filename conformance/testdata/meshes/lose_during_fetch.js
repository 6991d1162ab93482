#!/usr/bin/env node
// Bug: accepts a notification that arrives while a fetch round is under way and forgets it, as if
// the fetch under way covered it. Must fail: MESH-5.
'use strict';
const { Mesh, main } = require('./mesh.js');

class LoseDuringFetch extends Mesh {
  notified(fields) {
    if (this.inFlight) return;
    super.notified(fields);
  }
}

main(LoseDuringFetch);
