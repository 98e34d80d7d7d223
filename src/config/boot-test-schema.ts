import { z } from 'zod';
import { wholeNumber } from './schema-values.ts';

const Executable = z
  .string()
  .regex(/^(?:[A-Za-z0-9._-]+|\/[A-Za-z0-9._/-]+)$/, 'is not an executable name or absolute path');

/** The QEMU machine of the boot test on build hosts (which builds get one: presets.*.bootTest, the request). */
export const BootTestObject = z.strictObject({
  /** kvm needs a usable /dev/kvm; tcg is software emulation; auto picks kvm when it can. */
  accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
  memoryMiB: wholeNumber(256, 65_536).default(2048),
  cpus: wholeNumber(1, 64).default(2),
  timeoutSeconds: wholeNumber(5, 86_400).default(600),
  /** Text on the serial console that means the boot worked; by default the installer's kernel has started. */
  marker: z.string().min(1).max(200).default('Linux version'),
  /** The QEMU executable: a name looked up on PATH, or an absolute path. */
  qemu: Executable.default('qemu-system-x86_64'),
  /** Install test (kickstart ends with poweroff or shutdown): time for the installer to power the machine off. */
  installTimeoutSeconds: wholeNumber(5, 86_400).default(3600),
  /** Install test: time for the installed disk to show the login marker on the serial console. */
  loginTimeoutSeconds: wholeNumber(5, 86_400).default(600),
  /** Install test: text on the installed system's serial console that means it booted. */
  loginMarker: z.string().min(1).max(200).default('login:'),
  /** Install test: size of the scratch disk the installer installs to (qcow2, only written blocks use space). */
  diskGiB: wholeNumber(1, 4096).default(20),
  /** The qemu-img executable that makes the scratch disk: a name looked up on PATH, or an absolute path. */
  qemuImg: Executable.default('qemu-img'),
});

export type BootTestSettings = z.infer<typeof BootTestObject>;
/** The boot test machine when the config has no bootTest section. */
export const defaultBootTestSettings = (): BootTestSettings => BootTestObject.parse({});
