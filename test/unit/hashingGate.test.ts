import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createHashingGate, HashingBusyError } from '../../src/auth/passwords';
import { createTarpit } from '../../src/api/authLimits';
import { clientGone, ClientGoneError } from '../../src/api/clientGone';

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

    leaving.abort(new ClientGoneError('left'));
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

  it('holds a refusal for the tarpit\'s delay, at most `maxHeld` at once, and lets the rest through at once', async () => {
    jest.useFakeTimers();
    try {
      const tarpit = createTarpit({ delayMs: 1_000, maxHeld: 2 });
      const released: number[] = [];
      const holds = [1, 2, 3].map((n) => tarpit.hold().then(() => released.push(n)));
      await Promise.resolve();
      await Promise.resolve();
      // The third found two held already: it is not held.
      expect(released).toEqual([3]);
      jest.advanceTimersByTime(999);
      await Promise.resolve();
      expect(released).toEqual([3]);
      jest.advanceTimersByTime(1);
      await Promise.all(holds);
      expect(released).toEqual([3, 1, 2]);
      // Released, the room is there again.
      const again = tarpit.hold().then(() => released.push(4));
      jest.advanceTimersByTime(1_000);
      await again;
      expect(released).toEqual([3, 1, 2, 4]);
    } finally {
      jest.useRealTimers();
    }
  });
});
