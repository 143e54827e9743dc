// A fake IPVS model holding a table, loaded the way a user would: `ipvsadm -R` of restore lines
// through the command table over the fake kernel (compare and director ready tests).
import { dispatch } from '../../src/entry/command-table.js';
import { runOverFakeKernel } from './capture-io.js';
import { FakeIpvs } from './fake-ipvs.js';

/** The model after `-R` of `lines`; `newestFirst` lists real servers newest first, as Linux does. */
export async function fakeTableFrom(lines: readonly string[], newestFirst = false): Promise<FakeIpvs> {
  const ipvs = new FakeIpvs();
  ipvs.destsNewestFirst = newestFirst;
  const r = await runOverFakeKernel({ model: ipvs }, (io) => dispatch(['-R'], io), lines.join('\n') + '\n');
  if (r.stdout !== '' || r.stderr !== '' || r.code !== 0) throw new Error(`-R of the test table failed: ${JSON.stringify(r)}`);
  return ipvs;
}
