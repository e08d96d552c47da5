// Starts the release server on a free port with a fresh data folder, reads the start
// password it prints on first start, and stops it after the run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

export default async function globalSetup() {
  const root = resolve(__dirname, '..');
  const data = mkdtempSync(join(tmpdir(), 'schulhof-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(join(root, 'target/release/schulhof'), ['serve'], {
    cwd: root,
    env: { ...process.env, SCHULHOF_DATA: data, SCHULHOF_ADDR: `127.0.0.1:${port}`, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const password = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${output}`)), 30_000);
    server.stdout.on('data', (chunk) => {
      output += chunk;
      const found = output.match(/Start password:\s+(\S+)/);
      if (found && output.includes('Schulhof is ready')) {
        clearTimeout(timer);
        done(found[1]);
      }
    });
    server.on('exit', (code) => fail(new Error(`server exited with ${code}:\n${output}`)));
  });
  process.env.SCHULHOF_E2E_URL = url;
  process.env.SCHULHOF_E2E_START_PASSWORD = password;
  process.env.SCHULHOF_E2E_DATA = data;
  return async () => {
    server.kill('SIGTERM');
    rmSync(data, { recursive: true, force: true });
  };
}
