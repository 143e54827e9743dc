// openClient when IPVS is not there (a fake kernel without the IPVS family): our own commands
// load ip_vs quietly and carry modprobe's reason in their one message; 1.31's command line lets
// modprobe speak (as131) and keeps 1.31's text.
import { describe, expect, it } from 'vitest';
import { openClient } from '../../src/app/open-client.js';
import { dispatch } from '../../src/entry/command-table.js';
import { fakeKernelIo } from '../support/capture-io.js';

const REASON = 'Module ip_vs not found in directory /lib/modules/6.18.44';

function noIpvs(): ReturnType<typeof fakeKernelIo> & { asked: string[] } {
  const asked: string[] = [];
  const io = fakeKernelIo(
    { families: {} },
    {
      loadModule: async (how) => {
        asked.push(how);
        return how === 'quiet' ? REASON : undefined;
      },
    },
  );
  return Object.assign(io, { asked });
}

describe('openClient without IPVS', () => {
  it("quiet by default: the error names modprobe's reason after 1.31's text", async () => {
    const io = noIpvs();
    const e = await openClient(io).catch((x: unknown) => x);
    expect((e as Error).message).toBe(`Protocol not available (modprobe ip_vs: ${REASON})`);
    expect(io.asked).toEqual(['quiet']);
  });

  it('as131: modprobe as 1.31 runs it, the text unchanged', async () => {
    const io = noIpvs();
    const e = await openClient(io, { modprobe: 'as131' }).catch((x: unknown) => x);
    expect((e as Error).message).toBe('Protocol not available');
    expect(io.asked).toEqual(['as131']);
  });

  it('through the command line: our commands say the reason in their one line, -Ln says what 1.31 says', async () => {
    const top = noIpvs();
    expect(await dispatch(['top', '--count', '1'], top)).toBe(3);
    expect(top.err()).toBe(`ipvsadm top: cannot read IPVS: Protocol not available (modprobe ip_vs: ${REASON})\n`);
    const apply = noIpvs();
    await dispatch(['apply', '/dev/null'], apply);
    expect(apply.err()).toBe(`ipvsadm apply: cannot talk to IPVS: Protocol not available (modprobe ip_vs: ${REASON}); nothing was changed\n`);
    const list = noIpvs();
    expect(await dispatch(['-Ln'], list)).toBe(2);
    expect(list.err()).toBe("Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?\n");
    expect(list.asked).toEqual(['as131']);
  });
});
