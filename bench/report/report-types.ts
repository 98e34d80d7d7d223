// Types shared by the report renderers.
import type { AckResult } from '../ack/ack-bench.ts';
import type { DispatchResult } from '../dispatch/dispatch-bench.ts';
import type { DownloadResults } from '../downloads/download-bench.ts';
import type { IdenticalWaitResult } from '../identical/identical-bench.ts';
import type { SummaryRow } from '../lib/report.ts';
import type { Options } from '../options.ts';
import type { RoutingResult } from '../routing/routing-bench.ts';
import type { ProfileResult } from '../slack/profile-build.ts';
import type { SlackBudgetResult } from '../slack/slack-budget.ts';
import type { UploadResults } from '../upload/run-uploads.ts';
import type { WarmResult } from '../warm/warm-bench.ts';

export interface BenchResults {
  ack?: AckResult;
  upload?: UploadResults;
  dispatch?: DispatchResult;
  slack?: SlackBudgetResult;
  profile?: ProfileResult;
  downloads?: DownloadResults;
  warm?: WarmResult;
  routing?: RoutingResult;
  identical?: IdenticalWaitResult;
}

/** What a section report reads (results, options, run environment) and adds to (summary rows, detail sections). */
export interface ReportContext {
  r: BenchResults;
  opts: Options;
  env: Record<string, unknown>;
  rows: SummaryRow[];
  details: string[];
}
