#!/usr/bin/env node
// Bug: signs its fetch tokens with the site's own issuer (https://{site}.azurewebsites.net)
// instead of the platform's, which a host answers 403 (valid, without the platform claim); and it
// retries a 403 as any other failure. Must fail: MESH-3 (and only MESH-3: its retries after a
// 403 are no fetches of a later rule's).
'use strict';
const { Mesh, main } = require('./mesh.js');

class WrongIssuer extends Mesh {
  claims(now) {
    return { ...super.claims(now), iss: `https://${this.args.site}.azurewebsites.net` };
  }
}

main(WrongIssuer);
