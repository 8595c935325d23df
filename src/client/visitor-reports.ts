/**
 * What agents see of the visitor besides messages (docs/agent-api.md): the draft being typed
 * (`send_sneak_peek`, at most twice a second, the latest draft last) and the page the visitor is
 * on (`update_customer_page`, again after every login). Fire and forget: nothing is queued
 * offline, since a stale draft or page is worth nothing later.
 */
import type { CustomerPagePayload } from '../protocol';
import type { Timers } from './timers';

/** Shortest gap between two sneak peeks. */
export const SNEAK_PEEK_INTERVAL_MS = 500;

export interface VisitorReports {
  /** The composer's text changed (empty when it was cleared or sent). */
  draft(text: string): void;
  /** The visitor is on `page` (a load or a single-page-app navigation). */
  page(page: CustomerPagePayload): void;
  /** A login succeeded: the page is reported again to the (maybe new) server. */
  loggedIn(): void;
}

export interface VisitorReportsDeps {
  timers: Timers;
  canSend(): boolean;
  send(action: 'send_sneak_peek' | 'update_customer_page', payload: object): void;
}

export function createVisitorReports({ timers, canSend, send }: VisitorReportsDeps): VisitorReports {
  let sent = '';
  let latest = '';
  let page: CustomerPagePayload | undefined;

  const flush = (): void => {
    if (latest === sent || !canSend()) return;
    sent = latest;
    send('send_sneak_peek', { sneak_peek_text: latest });
    // Another draft within the interval waits for this timer.
    timers.set('sneakPeek', SNEAK_PEEK_INTERVAL_MS, flush);
  };

  const sendPage = (): void => {
    if (page && canSend()) send('update_customer_page', page);
  };

  return {
    draft(text) {
      latest = text;
      // A cleared draft (sent, or erased) goes out at once: agents stop seeing "typing".
      if (text === '' || !timers.has('sneakPeek')) {
        timers.clear('sneakPeek');
        flush();
      }
    },
    page(next) {
      page = next;
      sendPage();
    },
    loggedIn() {
      sent = '';
      sendPage();
    },
  };
}
