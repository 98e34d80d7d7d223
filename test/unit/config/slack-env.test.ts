import { describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../../src/config/load-config.ts';

const noFile = { readFile: () => '' };

function botProblems(env: Record<string, string>): string {
  try {
    loadConfig({ BOOTC_ISO_CONFIG: '', ...env }, { role: 'bot', cwd: '/nonexistent', ...noFile });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('Slack settings', () => {
  it('are required for the bot only, with the place to find each token', () => {
    const message = botProblems({});
    expect(message).toContain('SLACK_BOT_TOKEN: is not set; copy the Bot User OAuth Token');
    expect(message).toContain('SLACK_SIGNING_SECRET: is not set');
    expect(() => loadConfig({}, { role: 'worker', cwd: '/nonexistent' })).not.toThrow();
  });

  it('choose HTTP mode on PORT with a signing secret, or Socket Mode with an app token', () => {
    const http = loadConfig(
      {
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: 's3cret',
        PORT: '8080',
        SLACK_API_URL: 'http://127.0.0.1:9/api',
      },
      { role: 'bot', cwd: '/nonexistent' },
    );
    expect(http.slack).toEqual({
      botToken: 'xoxb-1',
      signingSecret: 's3cret',
      port: 8080,
      apiUrl: 'http://127.0.0.1:9/api/',
    });
    const socket = loadConfig(
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' },
      { role: 'bot', cwd: '/x' },
    );
    expect(socket.slack).toMatchObject({ appToken: 'xapp-1', port: 3000 });
  });

  it('refuse tokens of the wrong kind and bad ports without echoing secrets', () => {
    const message = botProblems({
      SLACK_BOT_TOKEN: 'xoxp-user-token-SECRET',
      SLACK_APP_TOKEN: 'nope',
      PORT: '99999',
    });
    expect(message).toContain('SLACK_BOT_TOKEN: is set but is not a bot token');
    expect(message).toContain('SLACK_APP_TOKEN: is set but is not an app-level token');
    expect(message).toContain('PORT: "99999" is not a TCP port');
    expect(message).not.toContain('SECRET');
  });

  it('count as secrets for log redaction', () => {
    const config = loadConfig(
      { SLACK_BOT_TOKEN: 'xoxb-abc', SLACK_SIGNING_SECRET: 'sig' },
      { role: 'bot', cwd: '/x' },
    );
    expect(secretValues(config)).toEqual(expect.arrayContaining(['xoxb-abc', 'sig']));
  });
});
