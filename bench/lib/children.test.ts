import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, startChild } from './children.js';

// A benchmark asks its child processes (P2's raw SDK loop) for each round's result over IPC.

let folder: string;
const running: ChildProcess[] = [];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'skiff-bench-children-'));
  // Answers { doubled } to { value }, and exits without answering to { crash: true }.
  await writeFile(
    join(folder, 'child.cjs'),
    `process.on('message', (m) => { if (m.crash) process.exit(3); process.send({ doubled: m.value * 2 }); });`,
  );
});
afterAll(async () => {
  for (const child of running) child.kill();
  await rm(folder, { recursive: true, force: true });
});

async function child() {
  const process = fork(join(folder, 'child.cjs'), [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  running.push(process);
  await once(process, 'spawn');
  return { process, ready: {}, stop: async () => void process.kill() };
}

describe('ask', () => {
  it('gets the answer to each question, and leaves no listener behind', async () => {
    const asked = await child();
    for (let value = 1; value <= 12; value += 1) {
      await expect(ask(asked, { value })).resolves.toEqual({ doubled: value * 2 });
    }
    expect(asked.process.listenerCount('message')).toBe(0);
    expect(asked.process.listenerCount('exit')).toBe(0);
  });

  it('fails when the child exits instead of answering, rather than waiting for ever', async () => {
    const asked = await child();
    await expect(ask(asked, { crash: true })).rejects.toThrow('the child exited (3) before it answered');
  });
});

describe('startChild', () => {
  it('stops a server that ignores SIGTERM by killing it after the grace, and one already gone at once', async () => {
    const stubborn = join(folder, 'stubborn.cjs');
    await writeFile(
      stubborn,
      `process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); process.send({ ready: true });`,
    );
    const server = await startChild<{ ready: boolean }>(stubborn);
    expect(server.ready).toEqual({ ready: true });
    await server.stop(200);
    expect(server.process.signalCode).toBe('SIGKILL');
    await server.stop(200);

    const killed = await startChild<{ ready: boolean }>(stubborn);
    killed.process.kill('SIGKILL');
    await once(killed.process, 'exit');
    await killed.stop();
  });

  it('fails when the server exits before it is ready', async () => {
    await expect(startChild('no-such-server.ts')).rejects.toThrow(
      /the child exited \(1\) before no-such-server.ts was ready/,
    );
  });
});
