import fs from 'node:fs';
import path from 'node:path';
import { devServerArgs } from '../../src/temporal/devServer';
import { dynamicConfigYaml, temporalServerSettings } from '../../src/temporal/serverSettings';

describe('Temporal server settings', () => {
  it('are what docker-compose gives its Temporal server', () => {
    const file = fs.readFileSync(path.join(__dirname, '../../docker/temporal-dynamicconfig.yaml'), 'utf8');
    const withoutComments = file
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
    expect(withoutComments).toBe(dynamicConfigYaml());
  });

  it('are passed to the dev server, each as a flag', () => {
    const args = devServerArgs({ cliPath: 'temporal', port: 7233, namespace: 'default', logFile: '/dev/null' });
    for (const setting of temporalServerSettings) {
      expect(args.join(' ')).toContain(`--dynamic-config-value ${setting.key}=${setting.value}`);
    }
    expect(temporalServerSettings.map((s) => s.key)).toContain('history.transferProcessorMaxPollRPS');
  });

  it('render as the server file format', () => {
    expect(dynamicConfigYaml([{ key: 'a.b', value: 3 }])).toBe('a.b:\n  - value: 3\n');
  });
});
