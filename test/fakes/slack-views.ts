// views.open, views.push and views.update of the fake Slack. Trigger errors follow the views.open reference
// (slack-ruby/slack-api-ref methods/views/views.open.json): invalid_trigger_id, expired_trigger_id, exchanged_trigger_id.
// trigger_expired/trigger_exchanged, seen in older write-ups, are the legacy dialog.open strings.
import { isRecord } from './block-kit-checks.ts';
import { blockKitProblems } from './block-kit-limits.ts';
import { type Args, type Failure, fail, type Result, str } from './slack-args.ts';
import { type FakeState, isUserId } from './slack-state.ts';

const TRIGGER_TTL_MS = 3000;
const MAX_VIEW_BYTES = 250_000;

/** `view` argument checks shared by views.open/push/update/publish: required, JSON, Block Kit limits, 250 kB. */
function viewArgument(
  args: Args,
  surface: 'modal' | 'home' = 'modal',
): { view: Record<string, unknown> } | Failure {
  const view = args.view;
  if (view === undefined) return fail('invalid_arguments', ['[ERROR] missing required field: view']);
  if (typeof view === 'string') return fail('invalid_arguments', ['[ERROR] view is not valid JSON']);
  const problems = blockKitProblems(surface, { view });
  if (problems.length > 0 || !isRecord(view)) return fail('invalid_arguments', problems);
  if (JSON.stringify(view).length > MAX_VIEW_BYTES) return fail('view_too_large');
  return { view };
}

function storedView(state: FakeState, id: string, view: Record<string, unknown>): Record<string, unknown> {
  state.seq.hash += 1;
  return {
    ...view,
    id,
    team_id: state.id.teamId,
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    external_id: view.external_id ?? '',
    state: { values: {} },
    hash: `1700000000.${state.seq.hash.toString(16).padStart(8, '0')}`,
    clear_on_close: view.clear_on_close ?? false,
    notify_on_close: view.notify_on_close ?? false,
    root_view_id: id,
    app_id: state.id.appId,
    bot_id: state.id.botId,
  };
}

function externalIdTaken(state: FakeState, view: Record<string, unknown>, exceptId?: string): boolean {
  const externalId = view.external_id;
  if (typeof externalId !== 'string' || externalId === '') return false;
  return state.views.some((v) => v.id !== exceptId && v.view.external_id === externalId);
}

/** views.open and views.push: exchange a trigger (views.open reference: invalid/expired/exchanged_trigger_id). */
export function openView(state: FakeState, args: Args): Result | Failure {
  const triggerId = str(args, 'trigger_id');
  if (triggerId === undefined) return fail('invalid_arguments', ['[ERROR] invalid `trigger_id`']);
  const checked = viewArgument(args);
  if ('ok' in checked) return checked;
  const { view } = checked;
  const trigger = state.triggers.get(triggerId);
  if (trigger === undefined) return fail('invalid_trigger_id');
  if (trigger.used) return fail('exchanged_trigger_id');
  if (state.id.now() - trigger.issuedAt >= TRIGGER_TTL_MS) return fail('expired_trigger_id');
  if (externalIdTaken(state, view)) return fail('duplicate_external_id');
  trigger.used = true;
  state.seq.view += 1;
  const id = `V${String(state.seq.view).padStart(8, '0')}`;
  const stored = storedView(state, id, view);
  state.views.push({ id, view: stored, user: trigger.user, triggerId });
  return { ok: true, view: stored };
}

export function updateView(state: FakeState, args: Args): Result | Failure {
  const viewId = str(args, 'view_id');
  const externalId = str(args, 'external_id');
  if (viewId === undefined && externalId === undefined) {
    return fail('invalid_arguments', ['[ERROR] missing required field: view_id or external_id']);
  }
  const checked = viewArgument(args);
  if ('ok' in checked) return checked;
  const { view } = checked;
  const record = state.views.find((v) =>
    viewId !== undefined ? v.id === viewId : v.view.external_id === externalId,
  );
  if (record === undefined) return fail('not_found');
  const hash = str(args, 'hash');
  if (hash !== undefined && hash !== record.view.hash) return fail('hash_conflict');
  if (externalIdTaken(state, view, record.id)) return fail('duplicate_external_id');
  record.view = storedView(state, record.id, view);
  return { ok: true, view: record.view };
}

/** views.publish: a user's home tab; `hash` guards against overwriting a newer publish (hash_conflict). */
export function publishView(state: FakeState, args: Args): Result | Failure {
  const userId = str(args, 'user_id');
  if (userId === undefined) return fail('invalid_arguments', ['[ERROR] missing required field: user_id']);
  if (!isUserId(userId)) return fail('user_not_found');
  const checked = viewArgument(args, 'home');
  if ('ok' in checked) return checked;
  const previous = state.homes.get(userId);
  const hash = str(args, 'hash');
  if (hash !== undefined && hash !== previous?.hash) return fail('hash_conflict');
  const id = typeof previous?.id === 'string' ? previous.id : `V${String(++state.seq.view).padStart(8, '0')}`;
  const stored = storedView(state, id, checked.view);
  state.homes.set(userId, stored);
  return { ok: true, view: stored };
}
