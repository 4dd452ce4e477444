// axe-core (from npm) run inside a page, for accessibility checks in the journeys.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let source;

/**
 * The axe-core violations of the page as it is now (WCAG 2.1 A and AA and axe's best
 * practices), each as `rule: what (n nodes: selectors)`. Evaluated through DevTools, which the
 * page's Content-Security-Policy does not restrict, so the page keeps its real policy.
 * @param {import('playwright-core').Page} page
 */
export async function axeViolations(page) {
  source ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((violation) => ({
      id: violation.id,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(' ')),
    }));
  });
  return violations.map(({ id, help, nodes }) => `${id}: ${help} (${nodes.length}: ${nodes.slice(0, 3).join(', ')})`);
}
