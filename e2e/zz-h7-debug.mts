import { startLoupe } from '/work/main/e2e/harness.ts';
const s = await startLoupe({ name: 'ablation-debug' });
const { page } = s;
const logs: string[] = [];
page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
page.on('response', (r) => { if (r.status() >= 400) logs.push(`HTTP ${r.status()} ${r.url()}`); });
page.on('worker', (w) => logs.push(`worker: ${w.url()}`));
try {
  await page.goto(`${s.baseUrl}/#/editor`);
  await page.locator('[data-testid="config-editor"][data-ready="1"]').waitFor({ timeout: 60000 });
  await new Promise((r) => setTimeout(r, 3000));
  const key = page.locator('[data-testid="config-editor"] .view-line').filter({ hasText: /^\s*lr:/ }).locator('span span').filter({ hasText: /^lr$/ });
  console.log('key count', await key.count());
  await key.first().hover();
  await new Promise((r) => setTimeout(r, 4000));
  console.log('hover html', (await page.locator('.monaco-hover').allInnerTexts()).join(' | '));
  const sched = page.locator('[data-testid="config-editor"] .view-line').filter({ hasText: /^\s*optimizer:/ });
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');
  await new Promise((r) => setTimeout(r, 1000));
  await sched.first().click();
  await page.keyboard.press('End');
  for (let i = 0; i < 5; i++) await page.keyboard.press('Backspace');
  await page.keyboard.type('a');
  await new Promise((r) => setTimeout(r, 1500));
  console.log('after a', (await page.locator('.suggest-widget').allInnerTexts()).join(' | ').slice(0, 300));
  await page.keyboard.press('Backspace');
  await page.keyboard.down('Control'); await page.keyboard.press(' '); await page.keyboard.up('Control');
  await new Promise((r) => setTimeout(r, 3000));
  console.log('suggest', (await page.locator('.suggest-widget').allInnerTexts()).join(' | ').slice(0, 300));
  await page.screenshot({ path: '/tmp/hdbg/shot.png' });
} finally {
  console.log(logs.join('\n'));
  await s.close();
}
