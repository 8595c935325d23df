/** Live fan-out between nodes: the bus interface, an in-process broker and Redis pub/sub. */
export type { Bus, BusHandler } from './types';
export { MemoryBroker } from './memory';
export { createRedisBus, createRedisClient, type RedisBusOptions } from './redis';
