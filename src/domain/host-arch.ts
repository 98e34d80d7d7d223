import { arch as nodeArch } from 'node:os';
import type { Arch } from './build-request.ts';

const BY_NODE_ARCH: Record<string, Arch> = {
  x64: 'x86_64',
  arm64: 'aarch64',
  s390x: 's390x',
  ppc64: 'ppc64le',
  riscv64: 'riscv64',
};

/** BIB builds ISOs only for the host's own architecture, so a worker serves exactly one arch queue. */
export function hostArch(nodeArchName: string = nodeArch()): Arch {
  const arch = BY_NODE_ARCH[nodeArchName];
  if (!arch) throw new Error(`unsupported build host architecture: ${nodeArchName}`);
  return arch;
}
