import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

function chromiumPath(): string {
  const found = CHROMIUM_CANDIDATES.find((p): p is string => !!p && fs.existsSync(p));
  if (!found) throw new Error("no Chromium found: install Debian's `chromium` package (.ci/run does) or set CHROMIUM_PATH");
  return found;
}

/** Debian's Chromium, headless, driven by Playwright; root (CI) cannot use its sandbox. */
export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
