import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cachedCliPath, resolveTemporalCli, TEMPORAL_CLI_VERSION } from '../../src/temporal/cli';

describe('resolveTemporalCli', () => {
  let dir: string;
  const saved = { PATH: process.env.PATH, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-test-'));
  });
  afterEach(async () => {
    Object.assign(process.env, saved);
    await fs.rm(dir, { recursive: true, force: true });
  });

  const executable = async (file: string) => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    return file;
  };

  it('keys the per-user cache by version', () => {
    process.env.XDG_CACHE_HOME = dir;
    expect(cachedCliPath()).toBe(path.join(dir, 'order-platform', 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal'));
  });

  it('takes TEMPORAL_CLI first, and refuses one that is not executable', async () => {
    const explicit = await executable(path.join(dir, 'my-temporal'));
    expect(await resolveTemporalCli({ explicitPath: explicit })).toBe(explicit);
    await expect(resolveTemporalCli({ explicitPath: path.join(dir, 'missing') })).rejects.toThrow(/TEMPORAL_CLI/);
  });

  it('then a temporal on PATH, then the cache, without building', async () => {
    const onPath = await executable(path.join(dir, 'bin', 'temporal'));
    process.env.PATH = `${path.dirname(onPath)}${path.delimiter}${saved.PATH}`;
    const progress = jest.fn();
    expect(await resolveTemporalCli({ progress })).toBe(onPath);

    process.env.PATH = '/nonexistent';
    process.env.XDG_CACHE_HOME = dir;
    const cached = await executable(cachedCliPath());
    expect(await resolveTemporalCli({ progress })).toBe(cached);
    expect(progress).not.toHaveBeenCalled();
  });
});
