import { Component, h, type ComponentChildren } from 'preact';

interface ErrorBoundaryProps {
  /** A new value (the next store state) clears a failure and renders the children again. */
  resetKey: unknown;
  onError?: (error: unknown) => void;
  children?: ComponentChildren;
}

interface ErrorBoundaryState {
  failed: boolean;
  key: unknown;
}

/**
 * The UI root's safety net: a render error hides the widget instead of throwing into the host
 * page, and the next state (a new message, a reconnect) tries again, so one bad render is not
 * the end of the conversation.
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  constructor(props: ErrorBoundaryProps) {
    super(props);
    this.state = { failed: false, key: props.resetKey };
  }

  static override getDerivedStateFromProps(props: ErrorBoundaryProps, state: ErrorBoundaryState): Partial<ErrorBoundaryState> | null {
    return props.resetKey === state.key ? null : { failed: false, key: props.resetKey };
  }

  static override getDerivedStateFromError(): Partial<ErrorBoundaryState> {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    this.props.onError?.(error);
  }

  override render() {
    return this.state.failed ? null : this.props.children;
  }
}
