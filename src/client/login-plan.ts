/** What the next `login` asks for, from what the client knows. Pure, so each case is testable. */
import type { JsonObject, LoginPayload } from '../protocol';
import type { ResumeRequest } from './resume';

export interface LoginState {
  /** The chat the token opens and the last `seq` applied in it. */
  session: { token?: string; chatId?: string; lastSeq: number };
  /** The page shows no transcript for this thread yet (first login, or its thread was closed). */
  needTranscript: boolean;
  /** startNewChat() or resetOnLoad: a new thread (in the token's chat, or a new chat without one). */
  newChatRequested: boolean;
  /** A chat whose thread is known to be closed: the login asks for the chat's current thread whole. */
  closedChatId?: string;
  context?: JsonObject;
}

export interface LoginPlan {
  payload: LoginPayload;
  resume: ResumeRequest;
  /** This login carries out a startNewChat() (or resetOnLoad). */
  startsNewChat: boolean;
}

/**
 * - a new conversation: `{token, new_thread: true}` (a new thread in the same chat, so its
 *   pushbacks still reach the visitor), or no token at all (a new chat);
 * - no token: `{history: true}`, a new chat;
 * - the page needs its transcript: `{token, last_seq, history: true}` (the stored pushes up to
 *   `last_seq` come in the response, the newer ones follow as pushes);
 * - a reconnect: `{token, last_seq, history: false}`, only the missed pushes follow.
 */
export function planLogin({ session: { token, chatId, lastSeq }, needTranscript, newChatRequested, closedChatId, context }: LoginState): LoginPlan {
  // Picks up where this page is: a reconnect, or a reload whose chat is still the stored one.
  const resumes = token !== undefined && !newChatRequested && (!needTranscript || (chatId !== undefined && chatId !== closedChatId));
  return {
    payload:
      token === undefined
        ? { history: true, context }
        : newChatRequested
          ? { token, new_thread: true, history: true, context }
          : { token, last_seq: resumes ? lastSeq : undefined, history: needTranscript, context },
    resume: resumes ? { chatId, lastSeq } : { lastSeq: 0 },
    startsNewChat: newChatRequested,
  };
}
