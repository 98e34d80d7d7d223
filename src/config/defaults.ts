/** Mirrors BUILDER_FEATURES in file-schema.ts (which imports this file, so the list cannot be imported here). */
type BuilderFeatureName = 'iso-customizations' | 'bootc-installer' | 'yescrypt';

/**
 * Built-in defaults, used for every section the config file leaves out (and for the whole file when the default
 * path does not exist). config/bootc-iso.yaml holds the same values; a test keeps the two in step.
 *
 * Builder tags follow Podman Desktop's pins (:9.7, :10.1); the CentOS builder only publishes a moving :latest.
 */
export const DEFAULT_BUILDERS: Record<string, { image: string; features: BuilderFeatureName[] }> = {
  // Pinned RHEL builders predate the [customizations.iso] section and the bootc-installer type.
  rhel9: { image: 'registry.redhat.io/rhel9/bootc-image-builder:9.7', features: [] },
  rhel10: { image: 'registry.redhat.io/rhel10/bootc-image-builder:10.1', features: [] },
  // The moving :latest tag is rebuilt from upstream, which has both; no shipped builder keeps $y$ hashes yet.
  centos: {
    image: 'quay.io/centos-bootc/bootc-image-builder:latest',
    features: ['iso-customizations', 'bootc-installer'],
  },
};

export const DEFAULT_BUILDER = 'rhel9';

export const DEFAULT_PRESETS = {
  rhel9: {
    image: 'registry.redhat.io/rhel9/rhel-bootc:9.7',
    builder: 'rhel9',
    description: 'RHEL 9 image mode',
  },
  rhel10: {
    image: 'registry.redhat.io/rhel10/rhel-bootc:10.1',
    builder: 'rhel10',
    description: 'RHEL 10 image mode',
  },
  'centos-stream9': {
    image: 'quay.io/centos-bootc/centos-bootc:stream9',
    builder: 'centos',
    description: 'CentOS Stream 9 bootc',
  },
};

export const DEFAULT_ALLOWED_REGISTRIES = ['registry.redhat.io', 'quay.io'];

export const DEFAULT_TIMEOUTS = {
  loginSeconds: 60,
  pullSeconds: 1800,
  buildSeconds: 3600,
  uploadSeconds: 3600,
};

export const DEFAULT_WORKER = {
  concurrency: 1,
  workDir: '/var/lib/bootc-iso/work',
  containerStorage: '/var/lib/containers/storage',
  minFreeDiskGiB: 20,
  podman: 'podman',
  attempts: 3,
  backoffSeconds: 30,
  lockSeconds: 120,
  shutdownGraceSeconds: 0,
  derive: { network: 'none' as const, timeoutSeconds: 1800 },
};

export const DEFAULT_WORKER_WARM = { intervalMinutes: 30 };
