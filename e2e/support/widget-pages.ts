import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { HOST_ORIGIN } from './server';

/**
 * Serves `html` as the host page at `HOST_ORIGIN + path` (Playwright routing, like openHostPage)
 * for the install specs, which write their own script tags. `waitUntil` defaults to `load`.
 */
export async function serveHostPage(
  page: Page,
  html: string,
  options: { path?: string; waitUntil?: 'load' | 'domcontentloaded' } = {},
): Promise<void> {
  await page.route(`${HOST_ORIGIN}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  await page.goto(`${HOST_ORIGIN}${options.path ?? '/'}`, { waitUntil: options.waitUntil ?? 'load' });
}

/** The WCAG 2.2 A/AA violations axe-core finds on the page (shadow roots included), as `{ id, targets }` for readable failures. */
export async function accessibilityViolations(page: Page): Promise<{ id: string; targets: unknown[] }[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']).analyze();
  return results.violations.map((violation) => ({ id: violation.id, targets: violation.nodes.map((node) => node.target) }));
}

/** What the keyboard focus is on inside the widget: `role:name` and its computed outline. */
export function focusedControl(page: Page): Promise<{ control: string; outline: string } | null> {
  return page.evaluate(() => {
    const element = document.querySelector('#servisbot-messenger')?.shadowRoot?.activeElement;
    if (!element) return null;
    const role = element.tagName === 'TEXTAREA' ? 'textbox' : element.tagName.toLowerCase();
    const name = element.getAttribute('aria-label') ?? element.textContent ?? '';
    const style = getComputedStyle(element);
    return { control: `${role}:${name}`, outline: `${style.outlineStyle} ${style.outlineWidth}` };
  });
}
