import { h } from 'preact';
import type { ShownFile } from '../file';
import { humanSize } from '../file';

interface FileViewProps {
  file: ShownFile;
  lang: string;
}

/**
 * A visitor's file in the transcript: an image (lazy, its name as `alt`) that opens full size in a
 * new tab, or a link named by the file's name and size. The server sends anything but a safe image
 * as a download (`Content-Disposition: attachment`); links give the new tab no opener or referrer.
 */
export function FileView({ file, lang }: FileViewProps) {
  const size = humanSize(file.size, lang);
  if (!file.url) {
    return (
      <span class="rd-file">
        {file.name} <span class="rd-size">({size})</span>
      </span>
    );
  }
  if (file.image) {
    return (
      <a class="rd-file-image" href={file.url} target="_blank" rel="noopener noreferrer">
        <img src={file.url} alt={file.name} loading="lazy" referrerpolicy="no-referrer" />
      </a>
    );
  }
  return (
    <a class="rd-file" href={file.url} target="_blank" rel="noopener noreferrer">
      <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" fill="currentColor">
        <path d="M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5L13 3.5z" />
      </svg>
      {file.name} <span class="rd-size">({size})</span>
    </a>
  );
}
