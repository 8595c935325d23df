import { Component, h } from 'preact';
import type { FileLinks, ShownFile } from '../file';
import { humanSize } from '../file';

interface FileViewProps {
  file: ShownFile;
  lang: string;
  /** Renews a link whose signature ran out (the widget's; absent in the agent console). */
  links?: FileLinks;
}

/**
 * A visitor's file in the transcript: an image (lazy, its name as `alt`) that opens full size in a
 * new tab, or a link named by the file's name and size. The server sends anything but a safe image
 * as a download (`Content-Disposition: attachment`); links give the new tab no opener or referrer.
 *
 * The link is signed for 24 hours: in a page open longer, an image that fails to load and a link
 * clicked after its `expires` get a fresh link once ({@link FileLinks}); a second failure is left
 * as it is (the file may be gone). A class component: the widget does without preact/hooks.
 */
export class FileView extends Component<FileViewProps, { url?: string | undefined }> {
  /** A fresh link was asked for already: once per file shown. */
  private renewed = false;
  private anchor: HTMLAnchorElement | null = null;
  private setAnchor = (el: HTMLAnchorElement | null) => void (this.anchor = el);

  /** A fresh link, shown from now on; resolves with it (undefined when there is none, or it was asked for before). */
  private renew(): Promise<string | undefined> {
    const { file, links } = this.props;
    if (this.renewed || !links || !file.id) return Promise.resolve(undefined);
    this.renewed = true;
    return links.fresh(file.id).then((url) => {
      if (url) this.setState({ url });
      return url;
    });
  }

  private onImageError = () => void this.renew();

  /** A click on a link past its `expires`: open the file with a fresh link instead of the refused one. */
  private onClick = (event: MouseEvent) => {
    const url = this.state.url ?? this.props.file.url;
    if (!url || !this.props.links?.expired(url) || this.renewed) return;
    event.preventDefault();
    void this.renew().then((fresh) => {
      // Still within the click's user activation (a few seconds): the new tab is not a popup.
      if (fresh && this.anchor) {
        this.anchor.href = fresh;
        this.anchor.click();
      }
    });
  };

  override render({ file, lang }: FileViewProps, { url = file.url }: { url?: string | undefined }) {
    const size = humanSize(file.size, lang);
    if (!url) {
      return (
        <span class="rd-file">
          {file.name} <span class="rd-size">({size})</span>
        </span>
      );
    }
    if (file.image) {
      return (
        <a class="rd-file-image" href={url} target="_blank" rel="noopener noreferrer" ref={this.setAnchor} onClick={this.onClick}>
          <img src={url} alt={file.name} loading="lazy" referrerpolicy="no-referrer" onError={this.onImageError} />
        </a>
      );
    }
    return (
      <a class="rd-file" href={url} target="_blank" rel="noopener noreferrer" ref={this.setAnchor} onClick={this.onClick}>
        <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" fill="currentColor">
          <path d="M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5L13 3.5z" />
        </svg>
        {file.name} <span class="rd-size">({size})</span>
      </a>
    );
  }
}
