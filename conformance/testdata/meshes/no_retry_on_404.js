#!/usr/bin/env node
// Bug: gives up a failing fetch on a 404 (a router that no longer knows the site), which MESH-4
// requires it to retry. Must fail: MESH-4.
'use strict';
const { Mesh, main } = require('./mesh.js');

class NoRetryOn404 extends Mesh {
  shouldRetry(status, attempt, failingFor) {
    return status !== 404 && super.shouldRetry(status, attempt, failingFor);
  }
}

main(NoRetryOn404);
