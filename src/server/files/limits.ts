/** Limits of visitor files (docs/http-api.md, "Visitor files"). */
import { FILE_BYTES } from '../../protocol';

/** Largest file a visitor may send: 10 MiB, LiveChat's limit (the widget refuses larger ones before sending). */
export const MAX_FILE_BYTES = FILE_BYTES;
/** Longest file name kept, in characters (a longer one is refused). */
export const MAX_FILE_NAME_CHARS = 255;
/** Uploads read at once by one node: each holds up to {@link MAX_FILE_BYTES} in memory. */
export const MAX_CONCURRENT_UPLOADS = 16;
/** Default lifetime of a signed file URL (the visitor's and the bot's): 24 hours. */
export const DEFAULT_FILE_URL_TTL_MS = 24 * 60 * 60 * 1000;
/** Default uploads per chat: a burst of 10, then one every 6 seconds. */
export const DEFAULT_UPLOAD_RATE_LIMIT = { burst: 10, perSecond: 1 / 6 };
