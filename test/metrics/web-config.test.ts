// The web configuration's reading and the pieces around it: every key of the format mapped to
// Node's TLS names, unknown keys and values refused naming the key, relative files taken from the
// file's folder; basic auth's header, its cache of verified credentials and its stand-in hash for
// unknown users; the token bucket of rate_limit on a clock the test moves.
import { describe, expect, it, vi } from 'vitest';
import bcrypt from 'bcryptjs';
import { BasicAuth, basicCredentials } from '../../src/metrics/basic-auth.js';
import { parseDuration, parseWebConfig, WebConfigError } from '../../src/metrics/web-config.js';
import { altNames, tokenBucket } from '../../src/metrics/web-server.js';

const parse = (yaml: string): ReturnType<typeof parseWebConfig> => parseWebConfig(yaml, '/etc/ipvsadm');
const refusal = (yaml: string): string => {
  try {
    parse(yaml);
  } catch (e) {
    if (e instanceof WebConfigError) return e.message;
    throw e;
  }
  throw new Error('accepted');
};
// $2y$, cost 10, made by htpasswd -nbBC 10 prometheus 'correct horse'
const HASH = '$2y$10$sCADx3QcQaaY3ZqMH5rH9.VpLouF07ENTGCfT0erlbvo61.HXHuf6';

describe('parseWebConfig', () => {
  it('an empty file: plain HTTP, no users, no headers', () => {
    expect(parse('')).toEqual({ headers: {}, users: new Map() });
    expect(parse('tls_server_config: {}\nbasic_auth_users:\n')).toEqual({ headers: {}, users: new Map() });
  });

  it('every TLS key, in Node’s terms; relative files from the file’s folder, absolute ones kept', () => {
    const yaml = [
      'tls_server_config:',
      '  cert_file: tls/server.crt',
      '  key_file: /secret/server.key',
      '  client_auth_type: RequireAndVerifyClientCert',
      '  client_ca_file: ca.crt',
      '  client_allowed_sans: [prometheus.example, 192.0.2.10]',
      '  min_version: TLS13',
      '  max_version: TLS13',
      '  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]',
      '  prefer_server_cipher_suites: false',
      '  curve_preferences: [X25519, CurveP256]',
    ].join('\n');
    expect(parse(yaml).tls).toEqual({
      cert: { file: '/etc/ipvsadm/tls/server.crt' },
      key: { file: '/secret/server.key' },
      clientCa: { file: '/etc/ipvsadm/ca.crt' },
      clientAuth: 'RequireAndVerifyClientCert',
      allowedSans: ['prometheus.example', '192.0.2.10'],
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      ciphers: ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
      honorCipherOrder: false,
      curves: ['X25519', 'P-256'],
    });
  });

  it('defaults: NoClientCert, TLS 1.2 to 1.3, server cipher order; inline PEM taken as it is', () => {
    const tls = parse('tls_server_config:\n  cert: |\n    -----BEGIN CERTIFICATE-----\n  key_file: k\n').tls!;
    expect(tls).toEqual({ cert: { pem: '-----BEGIN CERTIFICATE-----\n' }, key: { file: '/etc/ipvsadm/k' }, clientAuth: 'NoClientCert', allowedSans: [], minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', honorCipherOrder: true });
  });

  it('users, headers, a rate limit', () => {
    const c = parse(`basic_auth_users:\n  prometheus: ${HASH}\n  "1234": '${HASH}'\nhttp_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: DENY\nrate_limit:\n  interval: 1m30s\n  burst: 20\n`);
    expect(c.users).toEqual(new Map([['1234', HASH], ['prometheus', HASH]]));
    expect(c.headers).toEqual({ 'X-Frame-Options': 'DENY' });
    expect(c.rateLimit).toEqual({ intervalMs: 90_000, burst: 20 });
    expect(parse('rate_limit:\n  interval: 0\n  burst: 5\n').rateLimit).toBeUndefined();
  });

  it.each([
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  min_versoin: TLS13\n', 'tls_server_config.min_versoin: unknown key (known: cert, key,'],
    ['basic_auth_user:\n  a: b\n', 'basic_auth_user: unknown key'],
    ['tls_server_config:\n  cert_file: a\n  cert: b\n  key_file: c\n', 'tls_server_config.cert_file: give cert or cert_file, not both'],
    ['tls_server_config:\n  key_file: c\n', 'tls_server_config.cert_file: missing (or cert inline)'],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n', "tls_server_config.min_version: unsupported value 'TLS14' (supported: TLS10, TLS11, TLS12, TLS13)"],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n', 'tls_server_config.min_version: is above max_version'],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [X25519MLKEM768]\n', "tls_server_config.curve_preferences: unsupported value 'X25519MLKEM768'"],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n', 'tls_server_config.cipher_suites: no TLS 1.2 suite named'],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: TLS_AES_128_GCM_SHA256\n', 'tls_server_config.cipher_suites: expected a list of strings'],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequestClientCert\n  client_allowed_sans: [x]\n', 'tls_server_config.client_allowed_sans: needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert'],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  prefer_server_cipher_suites: yes\n', 'tls_server_config.prefer_server_cipher_suites: expected true or false'],
    ['tls_server_config: [a]\n', 'tls_server_config: expected a mapping'],
    ['http_server_config:\n  headers:\n    X-Frame-Options: allow\n', "http_server_config.headers.X-Frame-Options: unsupported value 'allow' (supported: deny, sameorigin)"],
    [`basic_auth_users:\n  alice: ${HASH.replace('$2y$', '$2x$')}\n`, 'basic_auth_users.alice: not a bcrypt hash'],
    [`basic_auth_users:\n  alice: ${HASH.slice(0, -1)}\n`, 'basic_auth_users.alice: not a bcrypt hash'],
    [`basic_auth_users:\n  "a:b": ${HASH}\n`, "basic_auth_users.a:b: a user name cannot hold ':'"],
    [`basic_auth_users:\n  a: ${HASH}\n  a: ${HASH}\n`, 'line 3: not valid YAML: Map keys must be unique'],
    ['rate_limit:\n  interval: 1 second\n  burst: 1\n', "rate_limit.interval: '1 second' is not a duration"],
    ['rate_limit:\n  interval: 1s\n', 'rate_limit.burst: must be at least 1'],
    ['rate_limit:\n  interval: 1s\n  burst: 1.5\n', 'rate_limit.burst: expected a whole number'],
  ])('refused: %j', (yaml, reason) => {
    expect(refusal(yaml)).toContain(reason);
  });

  it('secrets stay out of the messages', () => {
    expect(refusal('basic_auth_users:\n  alice: hunter2\n')).not.toContain('hunter2');
  });

  it('Go durations', () => {
    expect(['1s', '500ms', '1m30s', '1.5h', '250us', '0'].map((d) => parseDuration(d, 'x'))).toEqual([1000, 500, 90_000, 5_400_000, 0.25, 0]);
  });
});

describe('basic auth', () => {
  it('the Authorization header: user, and a password that may hold colons', () => {
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    expect(basicCredentials(`Basic ${b64('alice:a:b c')}`)).toEqual({ user: 'alice', password: 'a:b c' });
    expect(basicCredentials(`basic ${b64('é:ü')}`)).toEqual({ user: 'é', password: 'ü' });
    expect(basicCredentials(`Basic ${b64('no colon')}`)).toBeUndefined();
    expect(basicCredentials(`Bearer ${b64('a:b')}`)).toBeUndefined();
    expect(basicCredentials(undefined)).toBeUndefined();
  });

  it('one bcrypt round for the first right password, none for the same again; every wrong one costs a round', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    try {
      const auth = new BasicAuth();
      const users = new Map([['prometheus', HASH]]);
      expect(await auth.verify(users, 'prometheus', 'correct horse')).toBe(true);
      expect(await auth.verify(users, 'prometheus', 'correct horse')).toBe(true);
      expect(compare).toHaveBeenCalledTimes(1);
      expect(await auth.verify(users, 'prometheus', 'wrong')).toBe(false);
      expect(await auth.verify(users, 'prometheus', 'wrong')).toBe(false);
      expect(compare).toHaveBeenCalledTimes(3);
      // a new hash for the user: the remembered verification no longer counts
      const other = new Map([['prometheus', bcrypt.hashSync('another', 4)]]);
      expect(await auth.verify(other, 'prometheus', 'correct horse')).toBe(false);
    } finally {
      compare.mockRestore();
    }
  });

  it('an unknown user is checked against a stand-in hash of the cost in use, never accepted', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    try {
      const auth = new BasicAuth();
      const users = new Map([['prometheus', HASH]]);
      expect(await auth.verify(users, 'mallory', 'correct horse')).toBe(false);
      expect(await auth.verify(users, 'mallory', 'correct horse')).toBe(false);
      expect(compare).toHaveBeenCalledTimes(2);
      const against = compare.mock.calls.map((c) => c[1]);
      expect(against[0]).not.toBe(HASH);
      expect(bcrypt.getRounds(against[0]!)).toBe(10);
    } finally {
      compare.mockRestore();
    }
  });
});

describe('pieces of the server', () => {
  it('rate_limit: a burst, then one request per interval', () => {
    let now = 0;
    const allow = tokenBucket(1000, 3, () => now);
    expect([allow(), allow(), allow(), allow()]).toEqual([true, true, true, false]);
    now = 999;
    expect(allow()).toBe(false);
    now = 1000;
    expect([allow(), allow()]).toEqual([true, false]);
    now = 100_000;
    expect([allow(), allow(), allow(), allow()]).toEqual([true, true, true, false]);
  });

  it("a certificate's subjectAltName as names", () => {
    expect(altNames('DNS:prometheus.example, IP Address:192.0.2.10, email:ops@example.org, URI:spiffe://example.org/p')).toEqual(['prometheus.example', '192.0.2.10', 'ops@example.org', 'spiffe://example.org/p']);
    expect(altNames(undefined)).toEqual([]);
    expect(altNames('IP Address:2001:DB8:0:0:0:0:0:1')).toEqual(['2001:db8::1']);
  });
});
