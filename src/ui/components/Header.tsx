interface HeaderProps {
  title: string;
  subtitle?: string;
}

/** Title and subtitle. Deliberately no close button: the roundel is the one toggle. */
export function Header({ title, subtitle }: HeaderProps) {
  return (
    <header class="rd-header">
      <div class="rd-title">{title}</div>
      {subtitle ? <div class="rd-subtitle">{subtitle}</div> : null}
    </header>
  );
}
