/**
 * The wire contract shared by the widget and the server. No DOM, no Node APIs, no dependencies.
 * @module protocol
 */
export * from './errors';
export * from './frames';
export * from './limits';
export * from './result';
export { parseClientFrame } from './parse-request';
export type { RequestParseResult } from './request-envelope';
export { parseLoginResponse, parsePush, parseServerFrame, parseSettings } from './parse-server';
export { ENGLISH, ROUNDEL_ENGLISH, TRANSLATED, parseUiStrings, pickLanguage, uiLanguages, uiTranslation, type UiStrings } from './ui-strings';
export * from './agent-frames';
export { parseAgentChat, parseAgentLogin, parseAgentPush, parseAgentRequest, parseAgentServerFrame, parseChatList } from './agent-parse';
export { parseVisitorIdentity, USER_ID_CHARS, type VisitorIdentity } from './visitor';
