import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { commandList, commandWords, completionScript } from '../../../src/cli/completion.ts';
import { REPO_ROOT } from '../../support/run-process.ts';

// The `bootc-iso` entry point as a person meets it, run from the sources; none of this reaches Redis.
const cli = (args: string[], env: Record<string, string> = {}) =>
  execa('node', ['--import', 'tsx', 'src/bin/cli.ts', ...args], {
    cwd: REPO_ROOT,
    reject: false,
    env,
  });

const version = (JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string })
  .version;

describe('bootc-iso habits', { timeout: 30_000 }, () => {
  it('prints help on stdout and exits 0 when run with no arguments', async () => {
    const run = await cli([]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^usage: bootc-iso \[--config-file FILE\] <command>/);
    expect(run.stderr).toBe('');
  });

  it('prints its version with --version and -V', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await cli([flag]);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toBe(`bootc-iso ${version}`);
    }
  });

  it('keeps the exit codes: 2 for an unknown command or a missing --config-file, help of a command is 0', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stdout).toBe('');
    const missing = await cli(['--config-file', '/nonexistent/bootc-iso.yaml', 'jobs']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('--config-file: the file /nonexistent/bootc-iso.yaml does not exist');
    const help = await cli(['help', 'build']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^usage: bootc-iso build/);
  });

  it('prints completion scripts for bash and zsh, and refuses other shells with exit 2', async () => {
    const bash = await cli(['completion', 'bash']);
    expect(bash.exitCode).toBe(0);
    expect(bash.stdout).toContain('complete -o default -F _bootc_iso bootc-iso');
    const zsh = await cli(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef bootc-iso\n/);
    expect((await cli(['completion', 'fish'])).exitCode).toBe(2);
  });
});

/** Runs the bash completion function as bash would for the words typed so far; returns the candidates. */
async function complete(...typed: string[]): Promise<string[]> {
  const script = `${completionScript('bash')}
COMP_WORDS=(${typed.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${typed.length - 1}
_bootc_iso
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const run = await execa('bash', ['--norc', '-c', script]);
  return run.stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it('lists every command of the help text', () => {
    expect(commandList().map((c) => c.name)).toEqual([
      'build',
      'cancel',
      'jobs',
      'job',
      'retry',
      'workers',
      'cache',
      'approve',
      'audit',
      'verify',
      'doctor',
      'completion',
      'help',
    ]);
  });

  it("completes commands, then each command's own options (bash)", async () => {
    expect(await complete('bootc-iso', 'j')).toEqual(['jobs', 'job']);
    expect(await complete('bootc-iso', 'build', '--pre')).toEqual(['--preset']);
    expect(await complete('bootc-iso', '--config-file', 'x.yaml', 'workers', '--')).toEqual([
      '--json',
      '--help',
    ]);
    expect(await complete('bootc-iso', 'completion', '')).toEqual(['bash', 'zsh']);
    expect(commandWords('build')).toContain('--rebuild');
  });

  it('completes file names after options that take a file (bash)', async () => {
    expect(await complete('bootc-iso', '--config-file', 'package.js')).toEqual(['package.json']);
    expect(await complete('bootc-iso', 'build', '--config', '/etc/hostnam')).toEqual(['/etc/hostname']);
  });

  it('is valid bash and declares the zsh function for compdef', async () => {
    expect((await execa('bash', ['-n', '-c', completionScript('bash')], { reject: false })).exitCode).toBe(0);
    const zsh = completionScript('zsh');
    expect(zsh).toContain('compdef _bootc_iso bootc-iso');
    for (const { name } of commandList()) expect(zsh).toContain(`'${name}:`);
  });
});
