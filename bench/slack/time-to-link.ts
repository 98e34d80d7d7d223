// Time to link: what the service adds around the builder for a large ISO. The stand-in pads the ISO of a source tag
// `big-build-<MiB>` with that much random data; the figure is submission → final Slack message minus the builder's
// run (the `build` timing), against the upload of the ISO itself (the `upload` timing) + 2 s.
import { hostArch } from '../../src/domain/host-arch.ts';
import { buildModalView } from '../../src/slack/views/build-modal.ts';
import { DEFAULT_CHANNEL } from '../../test/fakes/slack-state.ts';
import { submittedState } from '../../test/support/slack-requests.ts';
import { loginRegistry, podman, pushImage, type Testbed } from '../../test/testbed/index.ts';
import { submitAndFollow } from './follow-build.ts';

export interface TimeToLink {
  isoBytes: number;
  submissionToFinalMs: number;
  builderMs: number;
  uploadMs: number;
  /** submissionToFinalMs − builderMs. */
  overheadMs: number;
  timings: Record<string, number>;
}

export async function measureTimeToLink(
  tb: Testbed,
  target: Parameters<typeof submitAndFollow>[0],
  isoMiB: number,
  log: (line: string) => void,
): Promise<TimeToLink> {
  const ref = `${tb.registry.host}/bootc/demo-os:big-build-${isoMiB}`;
  const auth = { username: tb.registry.username, password: tb.registry.password };
  await loginRegistry(tb.podman, tb.registry.host, auth);
  await podman(tb.podman, ['pull', '--quiet', '--tls-verify=false', tb.sourceRef]);
  await pushImage(tb.podman, tb.sourceRef, ref, auth);
  const view = buildModalView({
    presets: { demo: { image: tb.sourceRef, builder: 'standin', description: 'demo OS' } },
    defaultBuilder: 'standin',
    arches: [hostArch()],
    channelId: DEFAULT_CHANNEL,
    prefill: { image: ref },
  }) as unknown as Record<string, unknown>;
  const built = await submitAndFollow(target, {
    view,
    values: submittedState(view, {}),
    userId: 'U0LINK',
  });
  const result = built.job.returnvalue as { timings: Record<string, number>; iso: { size: number } };
  const submissionToFinalMs = built.finalAt - built.submittedAt;
  const builderMs = result.timings.build ?? 0;
  const uploadMs = result.timings.upload ?? 0;
  const out = {
    isoBytes: result.iso.size,
    submissionToFinalMs,
    builderMs,
    uploadMs,
    overheadMs: submissionToFinalMs - builderMs,
    timings: result.timings,
  };
  log(
    `  time to link, ${isoMiB} MiB ISO: ${submissionToFinalMs} ms in all, builder ${builderMs} ms, upload ${uploadMs} ms, overhead ${out.overheadMs} ms`,
  );
  return out;
}
