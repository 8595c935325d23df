/** Creating and reading pushbacks (docs/http-api.md, "Pushbacks"), shared by the bot context and the management API. */
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../../protocol';
import type { PushbackRecord, Store } from '../store/types';
import type { Pushback } from './types';

export interface NewPushbackInput {
  channelType: string;
  botId: string;
  chatId: string;
  event: string;
  eventData: JsonObject;
}

/** Pushback records in the store, shown with links under the current public URL. */
export class PushbackService {
  constructor(
    private readonly store: Store,
    private readonly publicUrl: () => string,
  ) {}

  /** Creates a pushback. With an `origin` seen before (a re-run bot call), returns the one created then. */
  async create(input: NewPushbackInput, origin?: string): Promise<Pushback> {
    const record = await this.store.createPushback(
      {
        id: randomUUID(),
        chatId: input.chatId,
        channelType: input.channelType,
        botId: input.botId,
        event: input.event,
        eventData: input.eventData,
        createdAt: new Date().toISOString(),
      },
      origin,
    );
    return this.toPushback(record);
  }

  /** The public shape of a stored pushback; `link` uses the current public URL. */
  toPushback(record: PushbackRecord): Pushback {
    return {
      channelType: record.channelType,
      botId: record.botId,
      chatId: record.chatId,
      event: record.event,
      eventData: record.eventData,
      id: record.id,
      link: `${this.publicUrl()}/pushgate/push_${record.id}`,
      created: record.createdAt,
    };
  }
}
