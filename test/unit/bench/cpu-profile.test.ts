import { describe, expect, it } from 'vitest';
import { type CpuProfile, summarizeProfile } from '../../../bench/ack/cpu-profile.ts';

const NM = '/repo/node_modules';
const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url },
  children,
});

// (root) → processTicks (node) → handler (project) → WebClient.apiCall (web-api) → JSON.stringify (builtin)
//        → (idle), (garbage collector), (program)
//        → parserOnIncoming (node) → verifySignature (bolt) → createHmac (node:crypto)
const profile: CpuProfile = {
  nodes: [
    frame(1, '(root)', '', [2, 6, 7, 8, 9]),
    frame(2, 'processTicksAndRejections', 'node:internal/process/task_queues', [3]),
    frame(3, 'openModal', 'file:///repo/src/slack/handlers/command.ts', [4]),
    frame(4, 'apiCall', `file://${NM}/@slack/web-api/dist/WebClient.js`, [5]),
    frame(5, 'stringify', ''),
    frame(6, '(idle)', ''),
    frame(7, '(garbage collector)', ''),
    frame(8, '(program)', ''),
    frame(9, 'parserOnIncoming', 'node:_http_server', [10]),
    frame(10, 'verifySlackRequest', `file://${NM}/@slack/bolt/dist/receivers/verify-request.js`, [11]),
    frame(11, 'createHmac', 'node:internal/crypto/hash'),
  ],
  samples: [5, 3, 2, 6, 7, 8, 9, 11, 11],
  timeDeltas: [1000, 2000, 500, 9000, 300, 100, 700, 400, 600],
};

describe('CPU profile summary', () => {
  it('puts each sample in the category of the nearest package or project frame on its stack, idle left out', () => {
    const s = summarizeProfile(profile);
    // JSON.stringify under the Web API client counts as the client; the project's handler is its own.
    expect(s['web-api client (views.open, chat.*)']).toBeCloseTo(1.0);
    expect(s['project code (handlers, views, queue)']).toBeCloseTo(2.0);
    // The HMAC runs for Bolt's signature check; the http parser frame itself has no package above it.
    expect(s['bolt (receiver, signature, routing)']).toBeCloseTo(1.0);
    expect(s['node (http, streams, timers)']).toBeCloseTo(0.5 + 0.7);
    expect(s.gc).toBeCloseTo(0.3);
    expect(s['native / unattributed']).toBeCloseTo(0.1);
    const total = Object.values(s).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(14.6 - 9.0);
  });
});

describe('CPU profile summary: start-up', () => {
  it('counts whatever runs under the module loader as start-up, whichever package it is in', () => {
    const loader: CpuProfile = {
      nodes: [
        frame(1, '(root)', '', [2]),
        frame(2, 'load', `file://${NM}/tsx/dist/loader.mjs`, [3]),
        frame(3, 'evaluate', 'node:internal/modules/esm/module_job', [4]),
        frame(4, 'App', `file://${NM}/@slack/bolt/dist/App.js`),
      ],
      samples: [2, 3, 4],
      timeDeltas: [100, 200, 300],
    };
    const s = summarizeProfile(loader);
    expect(s['start-up (loading and compiling modules)']).toBeCloseTo(0.6);
    expect(s['bolt (receiver, signature, routing)']).toBe(0);
  });
});
