#!/usr/bin/env node
// Bug: never answers a well-formed notification that arrives while a fetch has been waiting for
// its answer for over 800 ms (the request hangs). Must fail: MESH-5 (where the harness sends one
// during a held fetch; the silence breaks MESH-1, a failure wherever it is seen).
'use strict';
const { Mesh, main } = require('./mesh.js');

class SilentDuringFetch extends Mesh {
  fetchOnce() {
    this.fetchStarted = Date.now();
    return super.fetchOnce();
  }

  answerNotification(headers, body) {
    if (this.fetching && Date.now() - this.fetchStarted > 800) return null;
    return super.answerNotification(headers, body);
  }
}

main(SilentDuringFetch);
