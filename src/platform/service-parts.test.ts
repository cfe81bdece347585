import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { mergeInstances } from './service-parts.js';

describe('mergeInstances', () => {
  it("serves every part's routes, and keeps every part's tasks, handlers and hooks", async () => {
    const calls: string[] = [];
    const merged = mergeInstances([
      {
        routes: async (app) => {
          app.get('/a', async () => 'a');
        },
        tasks: [{ name: 'one', intervalMs: 0, run: async () => {} }],
        close: async () => {
          calls.push('close a');
        },
        seedLocal: async () => {
          calls.push('seed a');
        },
      },
      {
        objectCreated: { files: async () => {} },
        workflowTasks: { step: async () => ({}) },
        tasks: [{ name: 'two', intervalMs: 0, run: async () => {} }],
        close: async () => {
          calls.push('close b');
        },
      },
      {
        routes: async (app) => {
          app.get('/b', async () => 'b');
        },
      },
    ]);
    const app = Fastify();
    await app.register(merged.routes as never);
    expect((await app.inject('/a')).body).toBe('a');
    expect((await app.inject('/b')).body).toBe('b');
    expect(merged.tasks?.map((task) => task.name)).toEqual(['one', 'two']);
    expect(Object.keys(merged.objectCreated ?? {})).toEqual(['files']);
    expect(Object.keys(merged.workflowTasks ?? {})).toEqual(['step']);
    await merged.seedLocal?.();
    await merged.close?.();
    expect(calls).toEqual(['seed a', 'close a', 'close b']);
  });

  it('has no routes when no part serves HTTP (a worker)', () => {
    expect(mergeInstances([{ tasks: [] }]).routes).toBeUndefined();
  });
});
