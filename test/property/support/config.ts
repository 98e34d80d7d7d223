import { type Config, loadConfig } from '../../../src/config/load-config.ts';
import type { BuildPolicy } from '../../../src/domain/validate-build-request.ts';

/** Registries the generated references draw from: allowed ones (with ports, IPv4, IPv6) and some that are not. */
export const ALLOWED_REGISTRIES = [
  'quay.io',
  'registry.redhat.io',
  'registry.example.com:5000',
  'localhost:5000',
  '10.0.0.7:5000',
  '[fd00::7]:5000',
];
export const OTHER_REGISTRIES = ['docker.io', 'evil.example.com', 'registry.example.com:5001', 'ghcr.io'];

const YAML = `builders:
  centos:
    image: "quay.io/centos-bootc/bootc-image-builder:latest"
    features: [iso-customizations, bootc-installer, yescrypt]
  rhel10: { image: "registry.redhat.io/rhel10/bootc-image-builder:10.1" }
defaultBuilder: centos
presets:
  centos-stream9: { image: "quay.io/centos-bootc/centos-bootc:stream9", builder: centos, description: "CentOS Stream 9" }
  rhel10: { image: "registry.redhat.io/rhel10/rhel-bootc:10.1", builder: rhel10, description: "RHEL 10" }
allowedRegistries: ${JSON.stringify(ALLOWED_REGISTRIES)}
`;

export const PRESETS = ['centos-stream9', 'rhel10'];
/** centos declares every feature (a newer builder), rhel10 none (the shipped baseline). */
export const BUILDERS = ['centos', 'rhel10'];

/** A real Config, loaded through loadConfig from an env object and an in-memory YAML file. */
export function propertyConfig(): Config {
  return loadConfig({ BOOTC_ISO_CONFIG: '/property/bootc-iso.yaml' }, { role: 'cli', readFile: () => YAML });
}

export function policyOf(config: Config): BuildPolicy {
  return { allowedRegistries: config.allowedRegistries, builders: config.builders };
}
