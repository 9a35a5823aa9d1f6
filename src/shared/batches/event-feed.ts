import { waitUntilReady, type Redis } from '../redis.js';

/**
 * Live messages of a batch over Redis pub/sub (its event log grew: the new length; a file
 * finished: a JSON notice): one subscriber connection per process, one channel per batch with
 * listeners, unsubscribed when the last listener leaves.
 */
export class EventFeed {
  private readonly listeners = new Map<string, Set<(message: string) => void>>();
  private readonly subscribed = new Map<string, Promise<unknown>>();
  private readyWait: Promise<void> | undefined;

  /** One wait for the subscriber's readiness, shared by every listen that comes meanwhile. */
  private ready(): Promise<void> {
    this.readyWait ??= waitUntilReady(this.subscriber).finally(() => (this.readyWait = undefined));
    return this.readyWait;
  }

  constructor(private readonly subscriber: Redis) {
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.listeners.get(channel) ?? []) listener(message);
    });
  }

  /**
   * Calls `onMessage` with each message of the channel, from when the subscription is live (this
   * resolves then); returns the function that stops it.
   */
  async listen(
    channel: string,
    onMessage: (message: string) => void,
  ): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      this.subscribed.set(
        channel,
        // a SUBSCRIBE sent between the connection and its ready check (INFO) puts the
        // connection in subscriber mode first, and the ready check fails: subscribe once ready,
        // or give up after a while (the stream's client reconnects); ioredis subscribes again
        // by itself after a reconnect
        this.ready().then(() => this.subscriber.subscribe(channel)),
      );
    }
    set.add(onMessage);
    const stop = async () => {
      set.delete(onMessage);
      if (set.size === 0 && this.listeners.get(channel) === set) {
        this.listeners.delete(channel);
        this.subscribed.delete(channel);
        await this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
    try {
      await this.subscribed.get(channel);
    } catch (err) {
      await stop();
      throw err;
    }
    return stop;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
