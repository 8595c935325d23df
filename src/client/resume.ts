/**
 * Where a login or start_chat response leaves the client: the transcript to show and the last
 * `seq` already covered, so that exactly the pushes after it are applied.
 */
import { isStoredPush, type LoginResponse, type StoredPush } from '../protocol';

/** What the client asked to resume: the chat its `last_seq` belongs to, and that `last_seq`. */
export interface ResumeRequest {
  chatId?: string;
  lastSeq: number;
}

export interface ResumePoint {
  /** The stored pushes of the response's chat, ascending by `seq`, without duplicates. */
  history: StoredPush[];
  /** The highest `seq` the client now holds; the next push to apply is `lastSeq + 1`. */
  lastSeq: number;
}

/**
 * - Recovered, same chat: the server sends every push after the requested `last_seq`, so we
 *   hold up to it (whether or not `history` was asked for).
 * - Not recovered: `history` is every retained push up to the response's `last_seq`; we hold
 *   that (the response's `last_seq` when retention trimmed everything).
 * - Another chat than the one asked about (a new one began): the requested `last_seq` means
 *   nothing there; we hold what `history` gave, typically nothing, and apply pushes from 1.
 * - Always: the pushes up to `thread_seq` belong to earlier conversations of the chat, which the
 *   server never sends again, so we hold at least up to it (a reset, here or in another tab).
 */
export function resumePoint(response: LoginResponse, request: ResumeRequest): ResumePoint {
  const bySeq = new Map<number, StoredPush>();
  for (const push of response.history) {
    if (!isStoredPush(push) || push.payload.chat_id !== response.chat_id) continue;
    if (!bySeq.has(push.payload.seq)) bySeq.set(push.payload.seq, push);
  }
  const history = [...bySeq.values()].sort((a, b) => a.payload.seq - b.payload.seq);
  const newest = history.at(-1)?.payload.seq ?? 0;
  let base: number;
  if (!response.recovered) base = history.length > 0 ? 0 : response.last_seq;
  else if (request.chatId === response.chat_id) base = Math.min(request.lastSeq, response.last_seq);
  else base = 0;
  return { history, lastSeq: Math.max(base, newest, response.thread_seq) };
}
