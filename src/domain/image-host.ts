/**
 * The registry part of an image reference: hostname, IPv4 or [IPv6], with an optional port. Returns the
 * normalised (lowercased) host[:port], or a reason phrase the caller turns into a message.
 */
export type HostResult = { ok: true; host: string } | { ok: false; why: string };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  // Leading zeros are refused because some resolvers read them as octal.
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIPv6(s: string): boolean {
  let groups = s;
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (lastColon < 0 || !isIPv4(tail)) return false;
    groups = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = groups.split('::');
  if (halves.length > 2) return false;
  const split = (p: string | undefined): string[] => (p ? p.split(':') : []);
  const all = [...split(halves[0]), ...split(halves[1])];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false;
  return halves.length === 2 ? all.length <= 7 : all.length === 8;
}

function checkPort(port: string | undefined): string | undefined {
  if (port === undefined) return undefined;
  if (port === '') return 'has an empty port after ":"';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    return `has the port "${port}", which is not a number from 1 to 65535`;
  }
  return undefined;
}

function checkHostname(name: string): string | undefined {
  if (name === '') return 'has an empty registry host';
  if (/^[0-9.]+$/.test(name)) {
    return isIPv4(name) ? undefined : `has the registry address "${name}", which is not a valid IPv4 address`;
  }
  if (name.length > 253) return 'has a registry host longer than 253 characters';
  const labels = name.split('.');
  if (labels.some((l) => l === ''))
    return `has the registry host "${name}" with an empty label (".." or a leading or trailing ".")`;
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) {
    return `has the registry host "${name}" whose part "${bad}" is invalid: use letters, digits and "-", not starting or ending with "-"`;
  }
  return undefined;
}

export function parseHost(raw: string): HostResult {
  const lower = raw.toLowerCase();
  if (lower.startsWith('[')) {
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(lower);
    if (!m || !isIPv6(m[1] ?? ''))
      return { ok: false, why: `has the registry address "${raw}", which is not a valid [IPv6] address` };
    const portProblem = checkPort(m[2]);
    return portProblem ? { ok: false, why: portProblem } : { ok: true, host: lower };
  }
  const colons = lower.split(':').length - 1;
  if (colons > 1)
    return {
      ok: false,
      why: `has the registry host "${raw}"; write IPv6 addresses in brackets, e.g. [fd00::1]:5000`,
    };
  const [name = '', port] = lower.split(':');
  const problem = checkHostname(name) ?? checkPort(port);
  return problem ? { ok: false, why: problem } : { ok: true, host: lower };
}
