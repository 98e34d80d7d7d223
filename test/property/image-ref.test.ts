import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { BuildRequestInput } from '../../src/domain/build-request.ts';
import { formatImageRef, parseImageRef } from '../../src/domain/image-ref.ts';
import { findUnsafeChar } from '../../src/domain/text-rules.ts';
import { validateBuildRequest } from '../../src/domain/validate-build-request.ts';
import { checkAcceptedRequest } from './support/accepted.ts';
import { imageRef } from './support/arbitraries.ts';
import { REFERENCE } from './support/bib-oracle.ts';
import { policyOf, propertyConfig } from './support/config.ts';
import {
  assertProperty,
  createFigures,
  oneCase,
  outcomeOf,
  printFigures,
  record,
} from './support/figures.ts';

const config = propertyConfig();
const policy = policyOf(config);
const parsed = createFigures('parseImageRef');
const inRequests = createFigures('image references as source and installer payload (validateBuildRequest)');

afterAll(() => {
  printFigures(parsed);
  printFigures(inRequests);
});

function request(overrides: Partial<BuildRequestInput>): BuildRequestInput {
  return {
    source: 'quay.io/centos-bootc/centos-bootc:stream9',
    builder: { name: 'centos', image: 'quay.io/centos-bootc/bootc-image-builder:latest' },
    type: 'anaconda-iso',
    arch: 'x86_64',
    requester: { kind: 'cli', user: 'alice' },
    requestedAt: '2026-01-31T12:00:00Z',
    ...overrides,
  };
}

describe('image references under generated input', () => {
  it('parseImageRef returns a tagged reference podman can read, or refuses with a message naming the field', () => {
    assertProperty(
      parsed,
      fc.property(imageRef, fc.boolean(), (input, requireTag) =>
        oneCase(parsed, () => {
          const out = outcomeOf(
            () => parseImageRef(input, { requireTag, field: 'source', label: 'source image' }),
            {
              requireField: true,
            },
          );
          if (out.kind === 'crash') record(parsed, 'crashes', out.why, input);
          else if (out.kind === 'refused') {
            parsed.refused += 1;
            if (out.error.field !== 'source' || !out.error.message.startsWith('source image'))
              record(parsed, 'crashes', `refusal not about the field: ${out.error.message}`, input);
          } else {
            parsed.accepted += 1;
            const text = formatImageRef(out.value);
            const again = outcomeOf(() => formatImageRef(parseImageRef(text, { requireTag })));
            if (!REFERENCE.test(text) || text.startsWith('-') || findUnsafeChar(text) || /\s/.test(text))
              record(
                parsed,
                'bibWouldReject',
                `accepted ${JSON.stringify(text)}, not a podman reference`,
                input,
              );
            if (requireTag && out.value.tag === undefined)
              record(parsed, 'bibWouldReject', 'accepted without a tag', input);
            if (again.kind !== 'accepted' || again.value !== text)
              record(parsed, 'crashes', `does not parse back to itself: ${JSON.stringify(again)}`, input);
          }
        }),
      ),
    );
    expect(parsed.examples).toEqual([]);
  });

  it('as the source or installer payload of a request: refused by field, or safe all the way to podman and BIB', () => {
    assertProperty(
      inRequests,
      fc.property(imageRef, fc.constantFrom('source', 'payload'), (ref, where) =>
        oneCase(inRequests, () => {
          const input =
            where === 'source'
              ? request({ source: ref })
              : request({ type: 'bootc-installer', installerPayloadRef: ref });
          const out = outcomeOf(() => validateBuildRequest(input, policy), { requireField: true });
          if (out.kind === 'crash') record(inRequests, 'crashes', out.why, input);
          else if (out.kind === 'refused') {
            inRequests.refused += 1;
            const expected = where === 'source' ? 'source' : 'installerPayloadRef';
            if (out.error.field !== expected)
              record(inRequests, 'crashes', `refused under ${out.error.field}, not ${expected}`, input);
          } else {
            inRequests.accepted += 1;
            checkAcceptedRequest(inRequests, out.value, config, policy, input);
          }
        }),
      ),
    );
    expect(inRequests.examples).toEqual([]);
  });
});
