import { DOCTOR_USAGE } from './doctor-command.ts';
import { OPS_USAGES } from './ops-commands.ts';
import { BUILD_USAGE } from './parse-build-args.ts';
import { VERIFY_USAGE } from './verify-args.ts';

/** The top-level help of `bootc-iso`: what `bootc-iso`, `bootc-iso help` and `bootc-iso --help` print. */
export const USAGE = `usage: bootc-iso [--config-file FILE] <command> [options]

Build installer ISOs from bootc container images on the build workers that serve a Redis queue.

commands:
  build       queue an ISO build and follow it (bootc-iso build --help)
  cancel      cancel a queued or running build: bootc-iso cancel <build-id>
  jobs        list builds: bootc-iso jobs [--state STATE ...] [--arch ARCH] [--limit N] [--json]
  job         one build in detail, or its log: bootc-iso job <build-id> [--logs [--follow]] [--json]
  retry       queue a failed build again and follow it: bootc-iso retry <build-id> [--detach] [--json]
  workers     the live build workers: bootc-iso workers [--json]
  cache       rebuild the identical-build index from the stored manifests: bootc-iso cache reindex [--json]
  approve     approve a build waiting for approval: bootc-iso approve <build-id> (deny <build-id> refuses it)
  audit       check a build's hash-chained audit trail: bootc-iso audit verify <build-id> [--json]
  verify      check a build's signatures and files: bootc-iso verify <build-id> [--file PATH ...] | --dir DIR
  doctor      check that this host can run builds (on a build host, as root): bootc-iso doctor [--json]
  completion  print a shell completion script: bootc-iso completion bash|zsh
  help        show this text (bootc-iso <command> --help for a command's options)

options:
  --config-file FILE  the YAML config file (default: $BOOTC_ISO_CONFIG, else ./config/bootc-iso.yaml,
                      else /etc/bootc-iso/config.yaml, else built-in defaults)
  --version           print the version and exit
  -h, --help          show this text

Progress and warnings go to stderr, results to stdout. Exit codes: 0 success, 1 the build failed (or nothing to
cancel, or Redis unreachable), 2 bad usage or configuration.`;

export const CANCEL_USAGE = 'usage: bootc-iso cancel <build-id>';

/** Every command with its own help text, in the order shown above. */
export const COMMAND_USAGES: Record<string, string> = {
  build: BUILD_USAGE,
  cancel: CANCEL_USAGE,
  ...OPS_USAGES,
  verify: VERIFY_USAGE,
  doctor: DOCTOR_USAGE,
  completion:
    'usage: bootc-iso completion bash|zsh\n\n  eval "$(bootc-iso completion bash)"   # in ~/.bashrc',
  help: USAGE,
};
