import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';

export interface SlackMessage {
  text: string;
  blocks?: unknown[];
}

/** Where a message ended up: its channel (maybe a DM when the bot cannot reach the channel) and ts. */
export interface Posted {
  channel: string;
  ts: string;
  /** 'joined' when the bot joined the public channel first; 'dm' when it fell back to a DM with the user. */
  via: 'channel' | 'joined' | 'dm';
}

export interface SlackPoster {
  post(channel: string, message: SlackMessage, fallbackUser?: string): Promise<Posted>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  reply(channel: string, threadTs: string, message: SlackMessage): Promise<void>;
  ephemeral(channel: string, user: string, message: SlackMessage): Promise<void>;
}

const slackError = (error: unknown): string => (error as { data?: { error?: string } }).data?.error ?? '';

/**
 * Blocks as the JSON string the form encoding sends anyway (the same bytes on the wire). Given an array, the
 * WebClient also deep-copies it for a debug line it builds whatever the log level (`redact` in WebClient.js), a
 * cost measured on every status post and edit.
 */
export const blocksArg = (blocks: unknown[] | undefined) =>
  blocks ? { blocks: JSON.stringify(blocks) as never } : {};

/** The one place the bot writes messages; it knows what to do when the bot is not in a channel. */
export function createSlackPoster(client: WebClient, logger: Logger): SlackPoster {
  const send = async (channel: string, message: SlackMessage, threadTs?: string) => {
    const result = await client.chat.postMessage({
      channel,
      text: message.text,
      ...blocksArg(message.blocks),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    return { channel: result.channel ?? channel, ts: result.ts ?? '' };
  };

  return {
    async post(channel, message, fallbackUser) {
      try {
        return { ...(await send(channel, message)), via: 'channel' };
      } catch (error) {
        const code = slackError(error);
        if (code === 'not_in_channel') {
          // A public channel: join it (channels:join) and post there.
          try {
            await client.conversations.join({ channel });
            return { ...(await send(channel, message)), via: 'joined' };
          } catch (joinError) {
            logger.info({ channel, error: slackError(joinError) }, 'could not join channel');
          }
        } else if (code !== 'channel_not_found') {
          throw error;
        }
        // A private channel (or one we may not join): a human must /invite the bot. Until then, DM the requester.
        if (!fallbackUser) throw error;
        return { ...(await send(fallbackUser, message)), via: 'dm' };
      }
    },
    async update(channel, ts, message) {
      await client.chat.update({
        channel,
        ts,
        text: message.text,
        ...blocksArg(message.blocks),
      });
    },
    async reply(channel, threadTs, message) {
      await send(channel, message, threadTs);
    },
    async ephemeral(channel, user, message) {
      await client.chat.postEphemeral({
        channel,
        user,
        text: message.text,
        ...blocksArg(message.blocks),
      });
    },
  };
}
