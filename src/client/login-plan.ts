/** What the next `login` asks for, from what the client knows. Pure, so each case is testable. */
import type { JsonObject, LoginPayload } from '../protocol';
import type { ResumeRequest } from './resume';

export interface LoginState {
  /** The dialog the token opens and the last `seq` applied in it. */
  session: { token?: string; chatId?: string; lastSeq: number };
  /** The page shows no transcript for this dialog yet (first login, or its dialog was closed). */
  needTranscript: boolean;
  /** startNewChat() or resetOnLoad: log in without a token. */
  newChatRequested: boolean;
  /** A dialog known to be closed: its `seq` must not be sent for the dialog that replaces it. */
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
 * - a new chat, or no token: `{history: true}` and no token, a new dialog;
 * - the page needs its transcript: `{token, last_seq, history: true}` (the stored pushes up to
 *   `last_seq` come in the response, the newer ones follow as pushes);
 * - a reconnect: `{token, last_seq, history: false}`, only the missed pushes follow.
 */
export function planLogin(state: LoginState): LoginPlan {
  const { session, context } = state;
  const fresh = { payload: { history: true, context }, resume: { lastSeq: 0 } };
  if (state.newChatRequested) return { ...fresh, startsNewChat: true };
  const { token, chatId, lastSeq } = session;
  if (token === undefined) return { ...fresh, startsNewChat: false };
  if (!state.needTranscript) {
    return {
      payload: { token, last_seq: lastSeq, history: false, context },
      resume: { chatId, lastSeq },
      startsNewChat: false,
    };
  }
  const resumable = chatId !== undefined && chatId !== state.closedChatId;
  return {
    payload: { token, last_seq: resumable ? lastSeq : undefined, history: true, context },
    resume: resumable ? { chatId, lastSeq } : { lastSeq: 0 },
    startsNewChat: false,
  };
}
