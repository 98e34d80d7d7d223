import type { ConfigRole } from './validate-config-file.ts';

export interface SlackSettings {
  botToken: string;
  /** Required in HTTP mode: every request to /slack/events is checked against it. */
  signingSecret?: string;
  /** Set → Socket Mode (no public URL needed); unset → HTTP receiver on `port`. */
  appToken?: string;
  /** Web API base URL override (tests, proxies); default Slack's. */
  apiUrl?: string;
  port: number;
}

const DEFAULT_PORT = 3000;

/**
 * The bot's Slack settings. Only the bot needs them, so workers and the CLI never hold Slack secrets and are not
 * asked for them. Returns problems instead of throwing so loadConfig can report everything at once.
 */
export function readSlackEnv(
  env: Record<string, string | undefined>,
  role: ConfigRole,
): { slack?: SlackSettings; problems: string[]; secrets: string[] } {
  const get = (name: string) => (env[name] === '' ? undefined : env[name]);
  const problems: string[] = [];
  const botToken = get('SLACK_BOT_TOKEN');
  const signingSecret = get('SLACK_SIGNING_SECRET');
  const appToken = get('SLACK_APP_TOKEN');
  const apiUrl = get('SLACK_API_URL');
  const rawPort = get('PORT');
  const secrets = [botToken, signingSecret, appToken].filter((v): v is string => v !== undefined);
  if (role !== 'bot' && role !== 'all') return { problems, secrets };

  const where = "your Slack app's settings at https://api.slack.com/apps";
  if (!botToken) {
    problems.push(
      `SLACK_BOT_TOKEN: is not set; copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions in ${where}`,
    );
  } else if (!botToken.startsWith('xoxb-')) {
    problems.push('SLACK_BOT_TOKEN: is set but is not a bot token (it should start with xoxb-)');
  }
  if (appToken !== undefined && !appToken.startsWith('xapp-')) {
    problems.push(
      'SLACK_APP_TOKEN: is set but is not an app-level token (it should start with xapp-); unset it for HTTP mode',
    );
  }
  if (!signingSecret && appToken === undefined) {
    problems.push(
      `SLACK_SIGNING_SECRET: is not set; HTTP mode needs it to verify requests (Basic Information → App Credentials in ${where}), or set SLACK_APP_TOKEN for Socket Mode`,
    );
  }
  if (apiUrl !== undefined && !(URL.canParse(apiUrl) && /^https?:$/.test(new URL(apiUrl).protocol))) {
    problems.push(
      `SLACK_API_URL: "${apiUrl}" is not an http(s) URL; set e.g. https://slack.com/api/ or unset it`,
    );
  }
  let port = DEFAULT_PORT;
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) {
      problems.push(`PORT: "${rawPort}" is not a TCP port; set a number from 1 to 65535`);
    }
  }
  if (problems.length > 0 || !botToken) return { problems, secrets };
  return {
    slack: {
      botToken,
      port,
      ...(signingSecret ? { signingSecret } : {}),
      ...(appToken ? { appToken } : {}),
      ...(apiUrl ? { apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
    },
    problems,
    secrets,
  };
}
