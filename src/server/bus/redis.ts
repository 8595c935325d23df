/**
 * The bus between nodes: Redis pub/sub through ioredis, one connection to publish and one to
 * listen (a subscribed Redis connection can do nothing else). Channels are subscribed only while
 * this node has a listener, so a node receives the traffic of the chats it serves, not all of it.
 *
 * Publishing never queues while Redis is away (`enableOfflineQueue: false`): live frames are
 * worth nothing late, and the receivers catch up from the database instead. ioredis reconnects
 * with backoff and re-subscribes every channel by itself; each time the listening connection is
 * ready again after a loss, {@link Bus.onResync} fires.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { errorFields, type Logger } from '../logger';
import { Listeners, TopicHandlers } from './handlers';
import type { Bus, BusHandler } from './types';

export interface RedisBusOptions {
  logger: Logger;
  /** Longest wait between reconnect attempts. Default 2000 ms. */
  maxReconnectMs?: number;
}

/**
 * A plain ioredis client on `url` for the rate limits shared by the nodes: it fails fast while
 * Redis is away (the limiter then counts in memory) and connects only when `connect()` is called.
 */
export function createRedisClient(url: string, logger: Logger): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 10), 2000),
    connectionName: 'roundel-limits',
  });
  client.on('error', (error: unknown) => logger.debug('redis connection error', { client: 'limits', ...errorFields(error) }));
  return client;
}

/** Connects (in the background: a node starts and serves while Redis is still down) to `url` (`redis://HOST:PORT`). */
export function createRedisBus(url: string, options: RedisBusOptions): Bus {
  const { logger } = options;
  const maxReconnectMs = options.maxReconnectMs ?? 2000;
  const base: RedisOptions = {
    lazyConnect: false,
    // Full jitter would be better on a fleet; ioredis wants a delay per attempt: grow to the cap.
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 10), maxReconnectMs),
    // A command on a dead connection fails fast instead of hanging a request.
    maxRetriesPerRequest: 1,
    connectionName: 'roundel',
  };
  const publisher = new Redis(url, { ...base, enableOfflineQueue: false });
  // Subscribing must survive a reconnect: queue it, and let ioredis re-subscribe the rest.
  const listener = new Redis(url, { ...base, enableOfflineQueue: true, autoResubscribe: true });
  const handlers = new TopicHandlers();
  const resyncs = new Listeners();
  const onHandlerError = (error: unknown) => logger.error('bus handler failed', errorFields(error));
  let closed = false;
  let lost = false;

  for (const [name, client] of [['publisher', publisher], ['listener', listener]] as const) {
    // Without an 'error' listener ioredis prints every failed reconnect attempt.
    client.on('error', (error: unknown) => logger.debug('redis connection error', { client: name, ...errorFields(error) }));
  }
  listener.on('close', () => {
    if (closed || lost) return;
    lost = true;
    logger.warn('redis connection lost: live delivery paused, catching up from the database when it is back');
  });
  listener.on('ready', () => {
    if (!lost) return;
    lost = false;
    logger.info('redis connection back: catching up from the database');
    resyncs.emit(onHandlerError);
  });
  listener.on('message', (topic: string, text: string) => {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return logger.warn('ignoring a bus message that is not JSON', { topic });
    }
    handlers.dispatch(topic, message, onHandlerError);
  });

  return {
    async publish(topic, message) {
      if (closed || publisher.status !== 'ready') return false;
      try {
        await publisher.publish(topic, JSON.stringify(message));
        return true;
      } catch (error) {
        logger.debug('bus publish failed', { topic, ...errorFields(error) });
        return false;
      }
    },
    async subscribe(topic, handler) {
      if (closed || !handlers.add(topic, handler)) return;
      try {
        await listener.subscribe(topic);
      } catch (error) {
        // Re-subscribed on reconnect (autoResubscribe) only if it once succeeded: a resync then
        // catches the chat up anyway, so a failure here is logged, not thrown at a visitor.
        logger.warn('bus subscribe failed', { topic, ...errorFields(error) });
      }
    },
    unsubscribe(topic, handler) {
      if (closed || !handlers.remove(topic, handler)) return;
      listener.unsubscribe(topic).catch((error: unknown) => logger.debug('bus unsubscribe failed', { topic, ...errorFields(error) }));
    },
    onResync: (handler) => resyncs.add(handler),
    connected: () => !closed && publisher.status === 'ready' && listener.status === 'ready',
    async close() {
      if (closed) return;
      closed = true;
      handlers.clear();
      // quit() waits for replies, disconnect() does not: a dead Redis must not hold up shutdown.
      await Promise.all([publisher, listener].map((client) => (client.status === 'ready' ? client.quit().catch(() => client.disconnect()) : client.disconnect())));
    },
  };
}
