// `metrics --listen --web.config.file` as an operator meets it, on 127.0.0.1 over a fake kernel:
// certificates made here with openssl (a CA, the server, a client, and a client of another CA),
// curl over TLS with --cacert gets the exposition, plain HTTP to the TLS port gets nothing, wrong
// or missing credentials get 401 with no metric in the body, a required client certificate is
// enforced, a changed file is picked up, and a bad file ends the command with status 2 before
// anything listens.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import { runMetricsCli } from '../../src/metrics/cli.js';
import { fakeKernelIo } from '../support/capture-io.js';
import type { CapturedIo } from '../support/capture-io.js';
import type { FakeIpvs } from '../support/fake-ipvs.js';
import { fakeTableFrom } from '../support/fake-table.js';

const DIR = mkdtempSync(join(tmpdir(), 'ipvsadm-webconfig-'));
const at = (name: string): string => join(DIR, name);

/** Runs a program the test needs; a missing one fails the test with what to install. */
function run(program: string, args: readonly string[]): string {
  const r = spawnSync(program, args, { cwd: DIR, encoding: 'utf8' });
  if (r.error) throw new Error(`${program} is needed by this test and was not found (apt-get install ${program}): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${program} ${args.join(' ')}: status ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** A P-256 key and a certificate for `name`, signed by `ca` (self-signed CA when ca is undefined). */
function certificate(name: string, subject: string, ca: string | undefined, ext: string): void {
  writeFileSync(at(`${name}.ext`), `${ext}\n`);
  run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  const signer = ca === undefined ? ['-signkey', `${name}.key`] : ['-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial'];
  run('openssl', ['x509', '-req', '-in', `${name}.csr`, ...signer, '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
}

// Made by `htpasswd -nbBC 10 prometheus 'correct horse'` (apache2-utils): the $2y$ hashes operators make.
const HTPASSWD_HASH = '$2y$10$sCADx3QcQaaY3ZqMH5rH9.VpLouF07ENTGCfT0erlbvo61.HXHuf6';
let ipvs: FakeIpvs;

beforeAll(async () => {
  certificate('ca', '/CN=ipvsadm test CA', undefined, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign');
  certificate('server', '/CN=127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  certificate('client', '/CN=prometheus', 'ca', 'subjectAltName=DNS:prometheus.example\nextendedKeyUsage=clientAuth');
  certificate('rogue-ca', '/CN=another CA', undefined, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign');
  certificate('rogue', '/CN=prometheus', 'rogue-ca', 'subjectAltName=DNS:prometheus.example\nextendedKeyUsage=clientAuth');
  certificate('other', '/CN=other', 'ca', 'subjectAltName=DNS:other.example\nextendedKeyUsage=clientAuth');
  certificate('rogue-server', '/CN=127.0.0.1', 'rogue-ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  ipvs = await fakeTableFrom(['-A -t 192.0.2.1:80 -s rr', '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 3']);
}, 60_000);

/** A port nobody listens on now (127.0.0.1). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Served {
  readonly port: number;
  readonly io: CapturedIo;
  /** SIGTERM; resolves with the command's status */
  stop(): Promise<number>;
}

/** `ipvsadm metrics --listen 127.0.0.1:PORT --web.config.file FILE` in this process, once it listens. */
async function serve(config: string): Promise<Served> {
  writeFileSync(at('web.yml'), config);
  const port = await freePort();
  const io = fakeKernelIo({ model: ipvs });
  const status = runMetricsCli(['--listen', `127.0.0.1:${port}`, '--web.config.file', at('web.yml')], io);
  for (let i = 0; i < 500 && !io.err().includes('serving'); i++) {
    const early = await Promise.race([status, new Promise((r) => setTimeout(() => r(undefined), 10))]);
    if (early !== undefined) throw new Error(`metrics ended with ${String(early)}: ${io.err()}`);
  }
  return { port, io, stop: () => (process.emit('SIGTERM', 'SIGTERM'), status) };
}

interface Answer {
  readonly exit: number | null;
  readonly status: number | undefined;
  readonly headers: string;
  readonly body: string;
  readonly stderr: string;
}

/** curl as a user runs it (-sS, headers included with -i), in its own process. */
function curl(args: readonly string[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '-i', '--max-time', '20', ...args], { cwd: DIR });
    let [out, err] = ['', ''];
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', (e) => reject(new Error(`curl is needed by this test and was not found (apt-get install curl): ${e.message}`)));
    child.on('close', (exit) => {
      const cut = out.indexOf('\r\n\r\n');
      const headers = cut < 0 ? out : out.slice(0, cut);
      resolve({ exit, status: /^HTTP\/[\d.]+ (\d{3})/.exec(out)?.[1] === undefined ? undefined : Number(/^HTTP\/[\d.]+ (\d{3})/.exec(out)![1]), headers, body: cut < 0 ? '' : out.slice(cut + 4), stderr: err });
    });
  });
}

const TLS = `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n`;
const EXPOSITION = 'ipvs_destination_weight{service="tcp 192.0.2.1:80"';

describe('metrics over TLS (--web.config.file)', () => {
  let s: Served;
  beforeAll(async () => void (s = await serve(TLS)));
  afterAll(async () => void expect(await s.stop()).toBe(0));

  it('says it serves https, and curl with --cacert gets the exposition', async () => {
    expect(s.io.err()).toContain(`serving https://127.0.0.1:${s.port}/metrics (web configuration ${at('web.yml')})`);
    const r = await curl(['--cacert', 'ca.crt', `https://127.0.0.1:${s.port}/metrics`]);
    expect(r.exit, r.stderr).toBe(0);
    expect(r.status).toBe(200);
    expect(r.body).toContain(`${EXPOSITION},protocol="tcp",address="192.0.2.1",port="80",fwmark="",family="inet",server_address="198.51.100.1",server_port="80",forwarding="masq",tunnel=""} 3\n`);
  });

  it('curl without the CA refuses the server; plain HTTP to the TLS port gets no metrics', async () => {
    const unknown = await curl([`https://127.0.0.1:${s.port}/metrics`]);
    expect(unknown.exit).toBe(60); // CURLE_PEER_FAILED_VERIFICATION
    const plain = await curl([`http://127.0.0.1:${s.port}/metrics`]);
    expect(plain.exit).not.toBe(0);
    expect(plain.body + plain.headers).not.toContain('ipvs_');
  });
});

describe('basic auth over TLS', () => {
  let s: Served;
  const url = (): string => `https://127.0.0.1:${s.port}/metrics`;
  beforeAll(async () => {
    const alice = bcrypt.hashSync('s3cret: with colon', 10);
    s = await serve(`${TLS}basic_auth_users:\n  alice: ${alice}\n  prometheus: '${HTPASSWD_HASH}'\n`);
  });
  afterAll(async () => void expect(await s.stop()).toBe(0));

  it('the right password gets the exposition (a bcryptjs hash and an htpasswd $2y$ one)', async () => {
    for (const user of ['alice:s3cret: with colon', 'prometheus:correct horse']) {
      const r = await curl(['--cacert', 'ca.crt', '-u', user, url()]);
      expect(r.status, user).toBe(200);
      expect(r.body).toContain(EXPOSITION);
    }
  });

  it.each([
    ['a wrong password', ['-u', 'alice:s3cret']],
    ['an unknown user', ['-u', 'mallory:s3cret: with colon']],
    ["another user's password", ['-u', 'alice:correct horse']],
    ['no credentials', []],
    ['a malformed header', ['-H', 'Authorization: Basic !!!']],
  ])('%s: 401, WWW-Authenticate: Basic, and nothing of the metrics', async (_, args) => {
    const r = await curl(['--cacert', 'ca.crt', ...args, url()]);
    expect(r.status).toBe(401);
    expect(r.headers).toMatch(/\r\nWWW-Authenticate: Basic\r\n/i);
    expect(r.body).toBe('Unauthorized\n');
  });
});

describe('TLS limits', () => {
  it('min_version TLS13: a client held to TLS 1.2 is refused, TLS 1.3 is served', async () => {
    const s = await serve(`${TLS}  min_version: TLS13\n`);
    const old = await curl(['--cacert', 'ca.crt', '--tls-max', '1.2', `https://127.0.0.1:${s.port}/metrics`]);
    const now = await curl(['--cacert', 'ca.crt', '--tlsv1.3', `https://127.0.0.1:${s.port}/metrics`]);
    expect(await s.stop()).toBe(0);
    expect(old.exit).not.toBe(0);
    expect(old.body).toBe('');
    expect(now.status).toBe(200);
  });

  it('max_version TLS12 with one cipher suite: curl gets that suite over TLS 1.2', async () => {
    const s = await serve(`${TLS}  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n  curve_preferences: [CurveP384]\n`);
    const r = await curl(['--cacert', 'ca.crt', '-v', `https://127.0.0.1:${s.port}/metrics`]);
    expect(await s.stop()).toBe(0);
    expect(r.status).toBe(200);
    expect(r.stderr).toMatch(/TLSv1\.2 \/ ECDHE-ECDSA-AES256-GCM-SHA384/);
  });

  it('http_server_config.headers are on every answer, 401 included', async () => {
    const s = await serve(`${TLS}http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n    Strict-Transport-Security: max-age=31536000\nbasic_auth_users:\n  prometheus: ${HTPASSWD_HASH}\n`);
    const denied = await curl(['--cacert', 'ca.crt', `https://127.0.0.1:${s.port}/metrics`]);
    const served = await curl(['--cacert', 'ca.crt', '-u', 'prometheus:correct horse', `https://127.0.0.1:${s.port}/metrics`]);
    expect(await s.stop()).toBe(0);
    for (const r of [denied, served]) expect(`${r.headers}\r\n`).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n(.*\r\n)*Strict-Transport-Security: max-age=31536000\r\n/);
    expect([denied.status, served.status]).toEqual([401, 200]);
  });
});

describe('rate_limit', () => {
  it('a burst of 1 per hour: the second scrape is answered 429 with no metrics', async () => {
    const s = await serve(`${TLS}rate_limit:\n  interval: 1h\n  burst: 1\n`);
    const [first, second] = [await curl(['--cacert', 'ca.crt', `https://127.0.0.1:${s.port}/metrics`]), await curl(['--cacert', 'ca.crt', `https://127.0.0.1:${s.port}/metrics`])];
    expect(await s.stop()).toBe(0);
    expect(first.status).toBe(200);
    expect([second.status, second.body]).toEqual([429, 'Too Many Requests\n']);
  });
});

describe('client certificates', () => {
  const mine = ['--cert', 'client.crt', '--key', 'client.key'];
  const rogue = ['--cert', 'rogue.crt', '--key', 'rogue.key'];
  const other = ['--cert', 'other.crt', '--key', 'other.key'];
  /** Whether curl got the exposition with each of the ways of presenting itself. */
  async function served(config: string, ways: Record<string, string[]>): Promise<Record<string, boolean>> {
    const s = await serve(`${TLS}${config}`);
    const out: Record<string, boolean> = {};
    for (const [name, args] of Object.entries(ways)) {
      const r = await curl(['--cacert', 'ca.crt', ...args, `https://127.0.0.1:${s.port}/metrics`]);
      out[name] = r.exit === 0 && r.status === 200 && r.body.includes(EXPOSITION);
      if (!out[name]) expect(r.body, name).not.toContain('ipvs_');
    }
    expect(await s.stop()).toBe(0);
    return out;
  }

  it('RequireAndVerifyClientCert: only a certificate of client_ca_file is served', async () => {
    expect(await served('  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n', { none: [], mine, rogue })).toEqual({ none: false, mine: true, rogue: false });
  });

  it('client_allowed_sans: a verified certificate of another name is refused', async () => {
    const config = '  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [prometheus.example]\n';
    expect(await served(config, { mine, other })).toEqual({ mine: true, other: false });
  });

  it('VerifyClientCertIfGiven: none is served, a certificate given must verify', async () => {
    expect(await served('  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n', { none: [], mine, rogue })).toEqual({ none: true, mine: true, rogue: false });
  });

  it('RequestClientCert: asked for, never checked', async () => {
    expect(await served('  client_auth_type: RequestClientCert\n', { none: [], rogue })).toEqual({ none: true, rogue: true });
  });

  it('RequireAnyClientCert: any certificate, verified or not, but one', async () => {
    expect(await served('  client_auth_type: RequireAnyClientCert\n', { none: [], rogue })).toEqual({ none: false, rogue: true });
  });
});

describe('a changed file is used for the next connection', () => {
  it('users, certificate, a file turned bad (SIGHUP reads it at once), client certificates required', async () => {
    copyFileSync(at('server.crt'), at('live.crt'));
    copyFileSync(at('server.key'), at('live.key'));
    const live = `tls_server_config:\n  cert_file: live.crt\n  key_file: live.key\n`;
    const s = await serve(`${live}basic_auth_users:\n  alice: ${HTPASSWD_HASH}\n`);
    const get = (...args: string[]): Promise<Answer> => curl([...args, `https://127.0.0.1:${s.port}/metrics`]);
    try {
      expect((await get('--cacert', 'ca.crt', '-u', 'alice:correct horse')).status).toBe(200);
      writeFileSync(at('web.yml'), `${live}basic_auth_users:\n  bob: ${HTPASSWD_HASH}\n`);
      expect((await get('--cacert', 'ca.crt', '-u', 'alice:correct horse')).status).toBe(401);
      expect((await get('--cacert', 'ca.crt', '-u', 'bob:correct horse')).status).toBe(200);
      copyFileSync(at('rogue-server.crt'), at('live.crt'));
      copyFileSync(at('rogue-server.key'), at('live.key'));
      expect((await get('--cacert', 'ca.crt', '-u', 'bob:correct horse')).exit).toBe(60);
      expect((await get('--cacert', 'rogue-ca.crt', '-u', 'bob:correct horse')).status).toBe(200);
      writeFileSync(at('web.yml'), `${live}basic_auth_users:\n  bob: not-a-hash\n`);
      process.emit('SIGHUP', 'SIGHUP');
      expect(s.io.err()).toContain(`ipvsadm metrics: ${at('web.yml')}: basic_auth_users.bob: not a bcrypt hash`);
      const refused = await get('--cacert', 'rogue-ca.crt', '-u', 'bob:correct horse');
      expect([refused.status, refused.body]).toEqual([500, 'ipvsadm metrics: the web configuration cannot be used (see the log)\n']);
      writeFileSync(at('web.yml'), `${live}basic_auth_users:\n  bob: ${HTPASSWD_HASH}\n`);
      expect((await get('--cacert', 'rogue-ca.crt', '-u', 'bob:correct horse')).status).toBe(200);
      expect(s.io.err()).toContain(`ipvsadm metrics: ${at('web.yml')}: usable again`);
      writeFileSync(at('web.yml'), `${live}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n`);
      expect((await get('--cacert', 'rogue-ca.crt')).exit).not.toBe(0);
      expect((await get('--cacert', 'rogue-ca.crt', '--cert', 'client.crt', '--key', 'client.key')).status).toBe(200);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});

describe('a bad web configuration: status 2 with the reason, nothing listening', () => {
  it.each([
    ['an unknown key', `${TLS}  client_auth: RequireAndVerifyClientCert\n`, 'tls_server_config.client_auth: unknown key'],
    ['an unknown top-level key', `${TLS}web_config: {}\n`, 'web_config: unknown key'],
    ['a missing certificate file', 'tls_server_config:\n  cert_file: nowhere.crt\n  key_file: server.key\n', `tls_server_config.cert_file: cannot read ${DIR}/nowhere.crt: ENOENT`],
    ['no key', 'tls_server_config:\n  cert_file: server.crt\n', 'tls_server_config.key_file: missing'],
    ['a key of another certificate', 'tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n', 'tls_server_config.key_file: '],
    ['a bad hash', `${TLS}basic_auth_users:\n  alice: secret\n`, 'basic_auth_users.alice: not a bcrypt hash'],
    ['an unknown client_auth_type', `${TLS}  client_auth_type: Sometimes\n`, "tls_server_config.client_auth_type: unsupported value 'Sometimes'"],
    ['a client CA without a policy', `${TLS}  client_ca_file: ca.crt\n`, 'tls_server_config.client_ca_file: a client CA is given but client_auth_type is NoClientCert'],
    ['verification without a CA', `${TLS}  client_auth_type: RequireAndVerifyClientCert\n`, 'tls_server_config.client_ca_file: missing'],
    ['an insecure cipher suite', `${TLS}  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n`, "tls_server_config.cipher_suites: unsupported value 'TLS_RSA_WITH_RC4_128_SHA'"],
    ['HTTP/2', `${TLS}http_server_config:\n  http2: true\n`, 'http_server_config.http2: HTTP/2 is not served'],
    ['a header of no known name', `${TLS}http_server_config:\n  headers:\n    X-Powered-By: ipvsadm\n`, 'http_server_config.headers.X-Powered-By: unknown key'],
    ['not YAML', 'tls_server_config: [\n', 'line '],
  ])('%s', async (_, config, reason) => {
    writeFileSync(at('bad.yml'), config);
    const port = await freePort();
    const io = fakeKernelIo({ model: ipvs });
    expect(await runMetricsCli(['--listen', `127.0.0.1:${port}`, '--web.config.file', at('bad.yml')], io)).toBe(2);
    expect(io.err()).toContain(`ipvsadm metrics: --web.config.file ${at('bad.yml')}: ${reason}`);
    expect(io.err()).not.toContain('serving');
    expect((await curl([`http://127.0.0.1:${port}/metrics`])).exit).toBe(7); // CURLE_COULDNT_CONNECT
  });

  it('a file that is not there, and the option without --listen', async () => {
    const io = fakeKernelIo({ model: ipvs });
    expect(await runMetricsCli(['--listen', '127.0.0.1:1', '--web.config.file', at('none.yml')], io)).toBe(2);
    expect(io.err()).toBe(`ipvsadm metrics: --web.config.file ${at('none.yml')}: ${at('none.yml')}: cannot read: ENOENT\n`);
    const alone = fakeKernelIo({ model: ipvs });
    expect(await runMetricsCli(['--web.config.file', at('web.yml')], alone)).toBe(2);
    expect(alone.err()).toBe('ipvsadm metrics: --web.config.file: only with --listen\n');
  });
});
