// Basic authentication against the bcrypt hashes of a web configuration: an unknown user costs a
// bcrypt round against a stand-in hash like a known one, and a verified user, hash and password
// are remembered (a digest of them, never the password) so a scrape every few seconds costs none.
import { createHash, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';

/** How many verified credentials are remembered (the oldest go first). */
const REMEMBERED = 100;

/** The user and password of an `Authorization: Basic ...` header; undefined when there are none. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export class BasicAuth {
  private readonly verified = new Set<string>();
  /** a hash of a random password at each cost in use, for unknown users */
  private readonly standIns = new Map<number, Promise<string>>();

  /** Starts making the stand-in hash at the cost `users` mostly use, so no request waits for it. */
  prepare(users: ReadonlyMap<string, string>): void {
    void this.standIn(users).catch(() => undefined);
  }

  private standIn(users: ReadonlyMap<string, string>): Promise<string> {
    const costs = [...users.values()].map((h) => bcrypt.getRounds(h));
    const cost = costs.sort((a, b) => costs.filter((c) => c === b).length - costs.filter((c) => c === a).length)[0] ?? 10;
    let hash = this.standIns.get(cost);
    if (!hash) this.standIns.set(cost, (hash = bcrypt.hash(randomBytes(18).toString('base64'), cost)));
    return hash;
  }

  /** Whether `password` is `user`'s in `users`; an unknown user takes as long as a wrong password. */
  async verify(users: ReadonlyMap<string, string>, user: string, password: string): Promise<boolean> {
    const hash = users.get(user);
    const key = createHash('sha256').update(JSON.stringify([user, hash ?? null, password])).digest('hex');
    if (hash !== undefined && this.verified.has(key)) return true;
    const matches = await bcrypt.compare(password, hash ?? (await this.standIn(users)));
    if (!matches || hash === undefined) return false;
    this.verified.add(key);
    if (this.verified.size > REMEMBERED) this.verified.delete(this.verified.values().next().value!);
    return true;
  }
}
