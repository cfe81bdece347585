import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, startChild, terminate } from './children.js';

// The benchmarks' servers and loops run in child processes, asked for each round's result over IPC.

let folder: string;
const running: ChildProcess[] = [];
// Every script here also ends when its parent goes, so a failed test leaves no process behind.
const endsWithParent = `process.on('disconnect', () => process.exit());`;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'skiff-bench-children-'));
  // Answers { doubled } to { value }, exits without answering to { crash: true }, ignores { hang: true }.
  await writeFile(
    join(folder, 'child.cjs'),
    `${endsWithParent} process.on('message', (m) => { if (m.crash) process.exit(3); if (!m.hang) process.send({ doubled: m.value * 2 }); });`,
  );
  await writeFile(
    join(folder, 'stubborn.cjs'),
    `${endsWithParent} process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); process.send({ ready: true });`,
  );
});
afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await rm(folder, { recursive: true, force: true });
});

async function child() {
  const process = fork(join(folder, 'child.cjs'), [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  running.push(process);
  await once(process, 'spawn');
  return { name: 'child.cjs', process, ready: {}, stop: async () => void process.kill() };
}

async function stubborn() {
  const server = await startChild<{ ready: boolean }>(join(folder, 'stubborn.cjs'));
  running.push(server.process);
  return server;
}

describe('ask', () => {
  it('gets the answer to each question, and leaves no listener behind', async () => {
    const asked = await child();
    for (let value = 1; value <= 12; value += 1) {
      await expect(ask(asked, { value }, 5_000)).resolves.toEqual({ doubled: value * 2 });
    }
    expect(asked.process.listenerCount('message')).toBe(0);
    expect(asked.process.listenerCount('exit')).toBe(0);
  });

  it('fails when the child exits instead of answering', async () => {
    const asked = await child();
    await expect(ask(asked, { crash: true }, 5_000)).rejects.toThrow(
      'child.cjs exited (3) while waiting for its answer',
    );
  });

  it('fails when the child stays but never answers, after the deadline', async () => {
    const asked = await child();
    await expect(ask(asked, { hang: true }, 200)).rejects.toThrow(
      'child.cjs: its answer did not come within 0.2 s',
    );
    expect(asked.process.listenerCount('message')).toBe(0);
  });
});

describe('startChild', () => {
  it('stops a server that ignores SIGTERM by killing it after the grace, and one already gone at once', async () => {
    const server = await stubborn();
    expect(server.ready).toEqual({ ready: true });
    await server.stop(200);
    expect(server.process.signalCode).toBe('SIGKILL');
    await server.stop(200);

    const killed = await stubborn();
    killed.process.kill('SIGKILL');
    await once(killed.process, 'exit');
    await killed.stop();
  });

  it('fails when the server exits before it is ready', async () => {
    await expect(startChild('no-such-server.ts')).rejects.toThrow(
      'no-such-server.ts exited (1) while waiting for its ready message',
    );
  });
});

describe('terminate', () => {
  it("signals through the sender it is given, even a process already gone (npm start's group may outlive npm)", async () => {
    const server = await stubborn();
    const sent: string[] = [];
    const send = (signal: NodeJS.Signals) => {
      sent.push(signal);
      server.process.kill(signal);
    };
    await terminate(server.process, 200, send);
    expect([sent, server.process.signalCode]).toEqual([['SIGTERM', 'SIGKILL'], 'SIGKILL']);
    await terminate(server.process, 200, send);
    expect(sent).toEqual(['SIGTERM', 'SIGKILL', 'SIGTERM']);
  });
});
