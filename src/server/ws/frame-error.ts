import type { ErrorType } from '../../protocol';

/** An action failure sent back as an error response (`success: false`). */
export class FrameError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }
}
