#!/usr/bin/env node
// Bug: answers 400 to a notification with an empty or missing operation, as it must, but fetches
// anyway. Must fail: MESH-7.
'use strict';
const { Mesh, main } = require('./mesh.js');

class FetchOnMalformed extends Mesh {
  answerNotification(headers, body) {
    const answer = super.answerNotification(headers, body);
    if (answer && answer[0] === 400 && /operation/.test(answer[1])) this.notified({});
    return answer;
  }
}

main(FetchOnMalformed);
