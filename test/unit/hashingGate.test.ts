import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ClientGoneError, createHashingGate, HashingBusyError } from '../../src/auth/passwords';
import { clientGone } from '../../src/api/clientGone';

describe('the password-hashing gate', () => {
  const open = () => new AbortController().signal;

  it('runs at most `concurrency` at once, queues up to `queue`, refuses the rest at once, and skips a waiter whose client left', async () => {
    const gate = createHashingGate({ concurrency: 1, queue: 1 });
    let finish!: () => void;
    const running = gate.run(open(), () => new Promise<string>((resolve) => (finish = () => resolve('first'))));
    const leaving = new AbortController();
    const ran: string[] = [];
    const waiting = gate.run(leaving.signal, async () => {
      ran.push('waiter');
      return 'second';
    });
    await expect(gate.run(open(), async () => 'third')).rejects.toBeInstanceOf(HashingBusyError);

    leaving.abort();
    finish();
    expect(await running).toBe('first');
    await expect(waiting).rejects.toBeInstanceOf(ClientGoneError);
    expect(ran).toEqual([]);
    // The slot the skipped waiter held is free again.
    expect(await gate.run(open(), async () => 'next')).toBe('next');
  });

  it('learns that a client left from its closed connection', async () => {
    const seen: boolean[] = [];
    const app = express();
    app.get('/slow', async (_req, res) => {
      const gone = clientGone(res);
      await new Promise((resolve) => setTimeout(resolve, 300));
      seen.push(gone.aborted);
      res.end();
    });
    app.get('/fast', (_req, res) => {
      const gone = clientGone(res);
      res.end();
      setImmediate(() => seen.push(gone.aborted));
    });
    const server = await new Promise<http.Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await fetch(`${url}/slow`, { signal: AbortSignal.timeout(50) }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await fetch(`${url}/fast`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen).toEqual([true, false]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
