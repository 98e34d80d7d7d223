import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLASH_COMMAND } from '../../../src/slack/action-ids.ts';

const ROOT = new URL('../../../', import.meta.url);
const read = (name: string) => parse(readFileSync(new URL(`config/${name}`, ROOT), 'utf8'));
/** Each scope with the Web API methods the bot calls under it (src/slack/slack-poster.ts, handlers/command.ts). */
const NEEDED_SCOPES = ['commands', 'chat:write', 'channels:join'];

describe('the Slack app manifests', () => {
  for (const name of ['slack-manifest.socket.yaml', 'slack-manifest.http.yaml']) {
    it(`${name} declares the /bootc-iso command, interactivity and exactly the scopes the bot uses`, () => {
      const manifest = read(name);
      expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([
        SLASH_COMMAND,
      ]);
      expect(manifest.oauth_config.scopes.bot).toEqual(NEEDED_SCOPES);
      expect(manifest.settings.interactivity.is_enabled).toBe(true);
      // The home tab and the DMs: one event, no scope beyond chat:write (views.publish needs none).
      expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
      expect(manifest.features.app_home).toEqual({
        home_tab_enabled: true,
        messages_tab_enabled: true,
        messages_tab_read_only_enabled: true,
      });
      expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
      expect(manifest.features.slash_commands[0].usage_hint.length).toBeLessThanOrEqual(1000);
    });
  }

  it('uses Socket Mode without URLs in one, and /slack/events URLs in the other', () => {
    const socket = read('slack-manifest.socket.yaml');
    const http = read('slack-manifest.http.yaml');
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(socket)).not.toContain('https://');
    expect(http.settings.socket_mode_enabled).toBe(false);
    expect(http.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(http.features.slash_commands[0].url).toMatch(/\/slack\/events$/);
    expect(http.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    expect(socket.settings.event_subscriptions.request_url).toBeUndefined();
  });

  it('covers every Web API method the bot calls', () => {
    const sources = [
      'slack-poster.ts',
      'handlers/command.ts',
      'handlers/app-home-opened.ts',
      'handlers/home-build-button.ts',
    ]
      .map((f) => readFileSync(new URL(`src/slack/${f}`, ROOT), 'utf8'))
      .join('\n');
    const methods = [...sources.matchAll(/client\.(\w+)\.(\w+)\(/g)].map((m) => `${m[1]}.${m[2]}`);
    // null: a method that needs no scope.
    const scopeOf: Record<string, string | null> = {
      'chat.postMessage': 'chat:write',
      'chat.update': 'chat:write',
      'chat.postEphemeral': 'chat:write',
      'conversations.join': 'channels:join',
      'views.open': 'commands',
      'views.publish': null,
    };
    expect(methods).toContain('views.publish');
    for (const method of methods) {
      expect(scopeOf).toHaveProperty([method]);
      const scope = scopeOf[method];
      if (scope !== null && scope !== undefined) expect(NEEDED_SCOPES).toContain(scope);
    }
  });
});
