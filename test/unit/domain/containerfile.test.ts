import { describe, expect, it } from 'vitest';
import { containerfileProblems, packagesContainerfile } from '../../../src/domain/containerfile.ts';

const SOURCE = 'quay.io/example/os:1';

describe('containerfileProblems', () => {
  it('takes one FROM of the source followed by ordinary instructions, continuations and comments', () => {
    const text = `# syntax is not needed\nFROM quay.io/example/os:1 AS base\nRUN echo a \\\n  && echo b\nENV A=1\nCOPY Containerfile /x\n`;
    expect(containerfileProblems(text, SOURCE)).toEqual([]);
  });

  it('wants the source first and alone', () => {
    expect(containerfileProblems('RUN true\n', SOURCE)).toEqual([
      'Containerfile line 1: the first instruction must be FROM quay.io/example/os:1, not RUN',
    ]);
    expect(containerfileProblems('FROM docker.io/library/alpine:3\n', SOURCE)[0]).toContain(
      'FROM must be the source image quay.io/example/os:1',
    );
    expect(containerfileProblems(`FROM ${SOURCE}\nFROM ${SOURCE}\n`, SOURCE)[0]).toContain('only one FROM');
    expect(containerfileProblems(`FROM --platform=linux/arm64 ${SOURCE}\n`, SOURCE)[0]).toContain(
      'FROM takes no options',
    );
    expect(containerfileProblems('', SOURCE)[0]).toContain('it is empty');
  });

  it('refuses mounts, other images, URLs and unknown instructions', () => {
    const text = [
      `FROM ${SOURCE}`,
      'RUN --mount=type=bind,source=/,target=/host cat /host/etc/shadow',
      'RUN --network=host true',
      'COPY --from=docker.io/library/alpine:3 /bin/sh /sh',
      'ADD https://example.com/x /x',
      'ONBUILD RUN true',
    ].join('\n');
    const problems = containerfileProblems(text, SOURCE);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toContain('line 2: RUN may not mount');
    expect(problems[1]).toContain('line 3: RUN may not');
    expect(problems[2]).toContain('line 4: COPY --from');
    expect(problems[3]).toContain('line 5: ADD of a URL');
    expect(problems[4]).toContain('line 6: "ONBUILD" is not allowed');
  });
});

describe('packagesContainerfile', () => {
  it('is one dnf install on top of the source, and refuses names that are not package names', () => {
    expect(packagesContainerfile(SOURCE, ['vim-enhanced', 'tmux'])).toBe(
      `FROM ${SOURCE}\nRUN dnf install -y vim-enhanced tmux && dnf clean all\n`,
    );
    expect(() => packagesContainerfile(SOURCE, ['vim; rm -rf /'])).toThrow('not package names');
  });
});
