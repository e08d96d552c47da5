import { defineConfig } from '@playwright/test';

// Debian's Chromium; Playwright's own browser download is not available here.
export default defineConfig({
  testDir: './tests',
  globalSetup: './server.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: process.env.SCHULHOF_E2E_URL,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    trace: 'retain-on-failure',
  },
});
