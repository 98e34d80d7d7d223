import type { Config } from '../../src/config/load-config.ts';
import { presetNeedsEntitlement } from '../../src/domain/capabilities.ts';
import { asAppError } from '../../src/domain/errors.ts';
import { registryOf } from '../../src/domain/image-ref.ts';
import { hostCapabilities } from '../host-capabilities.ts';
import { checkSigningKey } from './check-signing-key.ts';
import {
  type CheckResult,
  checkBuilderPull,
  checkContainerRun,
  checkDisk,
  checkEntitlement,
  checkLoopDevice,
  checkMemory,
  checkPodman,
  checkRegistryLogin,
  checkRoot,
  checkSelinux,
} from './checks.ts';
import type { DoctorProbes } from './probes.ts';

export type DoctorConfig = Pick<Config, 'worker' | 'registries' | 'builders' | 'presets' | 'access'> &
  Partial<Pick<Config, 'signing'>>;

/**
 * Every check, in the order an operator fixes things: the host, then its disks and devices, then what it reaches
 * (registries, builder images), and last a container actually started from a builder image it has.
 */
export async function runDoctor(config: DoctorConfig, probes: DoctorProbes): Promise<CheckResult[]> {
  const { worker } = config;
  const results: CheckResult[] = [checkRoot(probes.uid())];
  results.push(checkPodman(await probes.podmanVersion()));
  results.push(await checkSigningKey(config.signing));
  const selinux = await probes.selinux();
  results.push(checkSelinux(selinux.mode, selinux.osbuildSelinux));
  const rhelWanted =
    Object.values(config.presets).some(presetNeedsEntitlement) ||
    Object.values(config.builders).some((b) => b.requires?.includes('rhel-entitlement'));
  results.push(
    checkEntitlement(hostCapabilities(worker.capabilities, await probes.entitlement()), rhelWanted),
  );
  results.push(
    checkDisk('workDir', worker.workDir, await probes.freeBytes(worker.workDir), worker.minFreeDiskGiB),
  );
  results.push(
    checkDisk(
      'containerStorage',
      worker.containerStorage,
      await probes.freeBytes(worker.containerStorage),
      worker.minFreeDiskGiB,
    ),
  );
  const memory = await probes.memory();
  results.push(checkMemory(memory.totalBytes, memory.tmp));
  results.push(checkLoopDevice(await probes.loop()));

  const pulled: string[] = [];
  await probes.withAuthFile(async (authFile) => {
    for (const [registry, settings] of Object.entries(config.registries)) {
      if (!settings.username) {
        results.push(checkRegistryLogin(registry, { anonymous: true }));
        continue;
      }
      try {
        await probes.login(registry, settings, authFile);
        results.push(checkRegistryLogin(registry, { loggedIn: true, username: settings.username }));
      } catch (error) {
        const e = asAppError(error);
        const message = e.code === 'INTERNAL' ? String((error as Error).message ?? error) : e.message;
        results.push(checkRegistryLogin(registry, { error: message, code: e.code }));
      }
    }
    for (const [name, builder] of Object.entries(config.builders)) {
      try {
        await probes.pull(builder.image, registryOf(builder.image), authFile);
        pulled.push(builder.image);
        results.push(checkBuilderPull(name, builder.image, { pulled: true }));
      } catch (error) {
        const e = asAppError(error);
        results.push(checkBuilderPull(name, builder.image, { error: e.message, code: e.code }));
      }
    }
  });
  const image = pulled[0];
  results.push(
    checkContainerRun(image ? await probes.runContainer(image) : { ran: false, error: 'no builder image' }),
  );
  return results;
}
