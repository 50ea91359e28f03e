import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALERT_RULES, prometheusConfig } from '../../../local/prometheus';
import { rulesForTests } from '../../support/prometheus';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prometheus-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const check = (config: string) => {
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, config);
  return spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
};

describe('Function: prometheusConfig', () => {
  it('writes a configuration promtool accepts, with monitoring/alerts.yml and the local cloud as its one target', () => {
    const config = prometheusConfig({ metricsPort: 8083, intervalSeconds: 5, rulesFile: ALERT_RULES });

    const result = check(config);

    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS: 6 rules found');
    expect(result.status).toBe(0);
    expect(config).toContain("targets: ['127.0.0.1:8083']");
    expect(config).toContain('scrape_interval: 5s');
  });

  it('gives the tests the real rules with only their windows shortened, which promtool also accepts', () => {
    const result = check(prometheusConfig({ metricsPort: 1, intervalSeconds: 1, rulesFile: rulesForTests(dir) }));

    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS: 6 rules found');
  });
});
