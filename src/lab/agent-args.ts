// The traffic agent's small argument reader: `--name value` options taken out of an argument list.

/** Removes `name value` from `args` and returns the value, or `fallback` when absent. */
export function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  if (value === undefined) throw new Error(`${name} needs a value`);
  args.splice(i, 2);
  return value;
}

/** A whole number option within [min, max]. */
export function numberOption(args: string[], name: string, fallback: number, min: number, max: number): number {
  const text = option(args, name, String(fallback));
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < min || n > max) throw new Error(`${name} ${text}: expected a number ${min}..${max}`);
  return n;
}

/** `80,443` → [80, 443]; '' → []. */
export const ports = (list: string): number[] => (list === '' ? [] : list.split(',').map(Number));
