#!/usr/bin/env node
// A mesh endpoint (PROTOCOL.md section 8, MESH-1..9) written apart from syncsim's Go code, on
// Node's standard library only. Bug: none; it must pass every rule.
//
// It takes MSG-2 (`POST /`, `operation=update-triggers`, form-encoded), answers at once, and
// fetches the site's payload (MSG-3, `GET {site_url}/admin/host/triggers`) with a TOK-4 token in
// `Authorization: Bearer` once no notification has come for 250 ms, or 1 s after the first pending
// one. A notification during a fetch gets a fetch of its own after it. A failed fetch is retried
// except after a 401 (MESH-4's exception), with backoff (1 s, 2x, capped at 60 s, ±20% jitter)
// until 10 minutes have passed since the first failure.
//
// The broken meshes beside it (*.js) extend Mesh and change one thing each; their header
// comments name the bug and the rule it must fail.
//
// Usage: node mesh.js --port P --site-url URL --site NAME [--key K] [--retry-budget S]
//        [--backoff-min S] [--backoff-max S]; the key defaults to WEBSITE_AUTH_ENCRYPTION_KEY.
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');

const LEGION = 'https://legion.core.azurewebsites.net';
const FORM = 'application/x-www-form-urlencoded';

function parseArgs(argv) {
  const a = { key: process.env.WEBSITE_AUTH_ENCRYPTION_KEY || '', retryBudget: 600, backoffMin: 1, backoffMax: 60 };
  const names = { '--port': 'port', '--site-url': 'siteUrl', '--site': 'site', '--key': 'key',
    '--retry-budget': 'retryBudget', '--backoff-min': 'backoffMin', '--backoff-max': 'backoffMax' };
  for (let i = 0; i < argv.length; i += 2) {
    const n = names[argv[i]];
    if (!n) throw new Error('unknown flag ' + argv[i]);
    a[n] = ['port', 'retryBudget', 'backoffMin', 'backoffMax'].includes(n) ? Number(argv[i + 1]) : argv[i + 1];
  }
  return a;
}

// TOK-1: 64 characters are hex, anything else base64.
function parseKey(text) {
  return text.length === 64 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
}

class Rejected extends Error {
  constructor(status, why) { super(why); this.status = status; }
}

class Mesh {
  constructor(args) {
    this.args = args;
    this.key = parseKey(args.key);
    this.siteUrl = new URL(args.siteUrl.replace(/\/+$/, '') + '/admin/host/triggers');
    this.debounce = 250;
    this.maxWait = 1000;
    this.pending = false;
    this.firstPending = 0;
    this.timer = null;
    this.inFlight = false; // a fetch round is under way (attempt or backoff)
    this.fetching = false; // an attempt is waiting for its answer
  }

  // MESH-7: 400 for an empty body, another content type, bad encoding, a missing, empty or
  // unknown operation. MESH-9: other fields are ignored.
  validate(headers, body) {
    if (body.length === 0) throw new Rejected(400, 'empty body');
    const ctype = String(headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    if (ctype !== FORM) throw new Rejected(400, 'body is not ' + FORM);
    const text = new TextDecoder('utf-8', { fatal: true });
    let fields = {};
    try {
      text.decode(body);
      for (const pair of body.toString('latin1').split('&')) {
        const eq = pair.indexOf('=');
        const [n, v] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
        const dec = (s) => {
          if (/%(?![0-9A-Fa-f]{2})/.test(s)) throw new Rejected(400, 'invalid percent-encoding');
          const bytes = Buffer.from(s.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g,
            (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
          return text.decode(bytes);
        };
        const name = dec(n);
        if (!(name in fields)) fields[name] = dec(v);
      }
    } catch (e) {
      if (e instanceof Rejected) throw e;
      throw new Rejected(400, 'invalid UTF-8');
    }
    const op = fields.operation || '';
    if (op === '') throw new Rejected(400, 'missing or empty operation');
    if (op !== 'update-triggers') throw new Rejected(400, 'unknown operation');
    return fields;
  }

  // Returns [status, text] for one MSG-2, or null to leave it unanswered.
  answerNotification(headers, body) {
    let fields;
    try {
      fields = this.validate(headers, body);
    } catch (e) {
      if (e instanceof Rejected) return [e.status, e.message];
      throw e;
    }
    this.notified(fields);
    return [200, 'accepted'];
  }

  // An accepted notification: arm the debounce (MESH-6); a round under way is followed by another.
  notified(fields) {
    const now = Date.now();
    if (!this.pending) { this.pending = true; this.firstPending = now; }
    if (this.inFlight) return;
    this.arm(Math.min(this.debounce, this.firstPending + this.maxWait - now));
  }

  arm(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.startRound(), Math.max(0, ms));
  }

  // TOK-4: the platform's issuer, the site's audience, a 5-minute lifetime.
  claims(now) {
    return { iss: LEGION, aud: `https://${this.args.site}.azurewebsites.net`, iat: now, nbf: now, exp: now + 300 };
  }

  token() {
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const signing = b64({ alg: 'HS256', typ: 'JWT' }) + '.' + b64(this.claims(Math.floor(Date.now() / 1000)));
    return signing + '.' + crypto.createHmac('sha256', this.key).update(signing).digest('base64url');
  }

  // One MSG-3 attempt: resolves to the status (0 without an answer).
  fetchOnce() {
    return new Promise((resolve) => {
      this.fetching = true;
      const done = (status) => { this.fetching = false; resolve(status); };
      const req = http.request(this.siteUrl, { method: 'GET', agent: false, timeout: 30000,
        headers: { Authorization: 'Bearer ' + this.token() } }, (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode));
        res.on('error', () => done(0));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => done(0));
      req.end();
    });
  }

  // MESH-4: 401 is MESH-3's, not retried; anything else is, until the budget has passed.
  shouldRetry(status, attempt, failingFor) {
    return status !== 401 && failingFor < this.args.retryBudget * 1000;
  }

  backoff(attempt) {
    const base = Math.min(this.args.backoffMin * 2 ** (attempt - 1), this.args.backoffMax);
    return 1000 * base * (0.8 + 0.4 * Math.random());
  }

  async startRound() {
    if (this.inFlight || !this.pending) return;
    this.inFlight = true;
    this.pending = false;
    await this.round();
    this.inFlight = false;
    // MESH-5: notifications that came during the round get a fetch that starts after them.
    if (this.pending) this.arm(Math.min(this.debounce, this.firstPending + this.maxWait - Date.now()));
  }

  // One fetch with its retries: until a 200, a 401, or the end of the retry budget.
  async round() {
    let attempt = 0;
    let firstFailure = 0;
    for (;;) {
      attempt++;
      const status = await this.fetchOnce();
      if (status === 200) break;
      const now = Date.now();
      if (!firstFailure) firstFailure = now;
      if (!this.shouldRetry(status, attempt, now - firstFailure)) break;
      await new Promise((r) => setTimeout(r, this.backoff(attempt)));
    }
  }
}

function main(MeshClass = Mesh) {
  const mesh = new MeshClass(parseArgs(process.argv.slice(2)));
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const reply = (status, text) => {
        res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
        res.end(text);
      };
      if (req.method !== 'POST') return reply(405, 'method not allowed');
      if (req.url.split('?')[0] !== '/') return reply(404, 'not found');
      const answer = mesh.answerNotification(req.headers, Buffer.concat(chunks));
      if (answer) reply(answer[0], answer[1]);
    });
  });
  server.listen(mesh.args.port, '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}

module.exports = { Mesh, Rejected, main };
if (require.main === module) main();
