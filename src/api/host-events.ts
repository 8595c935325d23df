import type { HostEventName } from './types';

/** The host event names (README.md, "The widget"). Host handlers run in the client's `SafeEmitter`: one that throws is logged and never stops the others. */
export const HOST_EVENT_NAMES: readonly HostEventName[] = ['notification', 'Messenger', 'message', 'unread'];
