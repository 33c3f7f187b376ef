import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/**
 * The Chromium the browser tests drive: CHROMIUM_PATH, else Debian's /usr/bin/chromium (`apt-get install
 * chromium`; .ci/run installs it). Never a downloaded browser. No Chromium is a failure, not a skip: the report's
 * safety (nothing runs from a secret's name) is only proven in a real browser.
 */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found)
    throw new Error(
      "no Chromium found: set CHROMIUM_PATH or install Debian's chromium (apt-get install -y chromium); the HTML report tests need a real browser",
    );
  return found;
}

/** Headless Chromium; as root (a container) it cannot use its sandbox, so --no-sandbox there only. */
export async function launchChromium(): Promise<Browser> {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: root ? ["--no-sandbox"] : [],
  });
}
