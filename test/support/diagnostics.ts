// Records what the package publishes on its diagnostics channels, as a subscriber would see it.
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { CHANNELS } from '../../lib/diagnostics';

/** The tracing channels' names; every other channel lib/diagnostics.ts names is a plain one. */
export const TRACING: string[] = [CHANNELS.token, CHANNELS.api, CHANNELS.keys, CHANNELS.discovery, CHANNELS.revocation];
export const PLAIN: string[] = Object.values(CHANNELS).filter((name) => !TRACING.includes(name));
const EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;

/** One message: its channel, the tracing event (`publish` on a plain channel), a copy as it was then, and the object itself. */
export interface Recorded {
  channel: string;
  event: (typeof EVENTS)[number] | 'publish';
  copy: Record<string, unknown>;
  message: object;
}

export interface Recorder {
  readonly all: Recorded[];
  /** Copies of the messages of `channel` (for a tracing channel: at `event`, by default asyncEnd). */
  of(channel: string, event?: Recorded['event']): Record<string, unknown>[];
  stop(): void;
}

/** Subscribes to every channel of the package (every event of the tracing ones) until `stop()`. */
export function recordChannels(channels: readonly string[] = [...TRACING, ...PLAIN]): Recorder {
  const all: Recorded[] = [];
  const stops: (() => void)[] = [];
  for (const name of channels) {
    if (TRACING.includes(name)) {
      const handlers = Object.fromEntries(
        EVENTS.map((event) => [
          event,
          (message: object) => all.push({ channel: name, event, copy: { ...message }, message }),
        ]),
      ) as unknown as Parameters<ReturnType<typeof tracingChannel>['subscribe']>[0];
      tracingChannel(name).subscribe(handlers);
      stops.push(() => tracingChannel(name).unsubscribe(handlers));
    } else {
      const handler = (message: unknown) =>
        all.push({ channel: name, event: 'publish', copy: { ...(message as object) }, message: message as object });
      subscribe(name, handler);
      stops.push(() => unsubscribe(name, handler));
    }
  }
  return {
    all,
    of: (channel, event = PLAIN.includes(channel) ? 'publish' : 'asyncEnd') =>
      all.filter((recorded) => recorded.channel === channel && recorded.event === event).map(({ copy }) => copy),
    stop: () => stops.forEach((stop) => stop()),
  };
}
