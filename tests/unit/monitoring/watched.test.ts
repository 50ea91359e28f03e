import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { ORDER_SAGA_REFUSALS } from '../../../lib/sagas/orderSaga';
import { REGISTRATION_SAGA_REFUSALS } from '../../../lib/sagas/registrationSaga';
import { DEPLOYED_ONLY_WIDGETS, FIGURES, WAITING_FOR_REDRIVE, WATCHED } from '../../../monitoring/watched';

/** Both sides of monitoring held to the one list in monitoring/watched.ts. */
const ROOT = join(__dirname, '..', '..', '..');

const alertRules = yaml.load(readFileSync(join(ROOT, 'monitoring', 'alerts.yml'), 'utf8')) as {
  groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
};

// serverless/monitoring.yml is CloudFormation: its short-form functions (!Ref, !Sub, …) read as plain values.
const cloudFormationTags = ['!Ref', '!Sub', '!GetAtt'].flatMap((tag) =>
  (['scalar', 'sequence', 'mapping'] as const).map((kind) => new yaml.Type(tag, { kind, construct: (data) => data })),
);
const deployed = yaml.load(readFileSync(join(ROOT, 'serverless', 'monitoring.yml'), 'utf8'), {
  schema: yaml.DEFAULT_SCHEMA.extend(cloudFormationTags),
}) as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
const resources = Object.values(deployed.Resources);

const named = <T>(values: Array<T | null>) => values.filter((value): value is T => value !== null).sort();

describe('What is watched (monitoring/watched.ts)', () => {
  it('names every alert of monitoring/alerts.yml, once', () => {
    const alerts = alertRules.groups.flatMap((group) => group.rules.map((rule) => rule.alert));

    expect(alerts.sort()).toEqual(named(WATCHED.map((watched) => watched.alert)));
  });

  it('names every CloudWatch alarm of serverless/monitoring.yml, once', () => {
    const alarms = resources
      .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
      .map((alarm) => String(alarm.Properties['AlarmName']).replace('${self:service}-${sls:stage}-', ''));

    expect(alarms.sort()).toEqual(named(WATCHED.map((watched) => watched.alarm)));
  });

  it("names every widget of the CloudWatch dashboard, as a figure of the console's Metrics page or deployed only", () => {
    const dashboard = resources.find((resource) => resource.Type === 'AWS::CloudWatch::Dashboard');
    const [body] = dashboard?.Properties['DashboardBody'] as [string];
    const widgets = (JSON.parse(body) as { widgets: Array<{ properties: { title: string } }> }).widgets;

    expect(widgets.map((widget) => widget.properties.title).sort()).toEqual(
      [...named(FIGURES.map((figure) => figure.widget)), ...Object.keys(DEPLOYED_ONLY_WIDGETS)].sort(),
    );
  });

  it('says why, wherever one side has no counterpart', () => {
    const oneSided = [
      ...WATCHED.filter((watched) => watched.alert === null || watched.alarm === null),
      ...FIGURES.filter((figure) => figure.widget === null),
    ];

    expect(oneSided.filter((entry) => !entry.because)).toEqual([]);
    expect(oneSided.length).toBeGreaterThan(0);
  });

  it("leaves the sagas' refusals out of the redrive alert on both sides", () => {
    // Locally the gauge leaves out the errors of the machines' Fail states, which the state machine tests hold to
    // these lists; deployed, the EventBridge rule spells them out.
    const rule = resources.find(
      (resource) =>
        resource.Type === 'AWS::Events::Rule' &&
        String(resource.Properties['Name']).endsWith('-saga-waiting-for-redrive'),
    );
    const detail = rule?.Properties['EventPattern']?.detail as { $or: Array<Record<string, any>> };
    const failed = detail.$or.find((match) => match['status']?.includes('FAILED'));
    const alert = alertRules.groups.flatMap((group) => group.rules).find((r) => r.alert === 'SagaWaitingForRedrive');

    expect(failed?.['error']?.[0]?.['anything-but']?.sort()).toEqual(
      [...REGISTRATION_SAGA_REFUSALS, ...ORDER_SAGA_REFUSALS].sort(),
    );
    expect(detail.$or.find((match) => !match['status']?.includes('FAILED'))).toEqual({
      status: ['TIMED_OUT', 'ABORTED'],
    });
    expect(alert?.expr).toContain(WAITING_FOR_REDRIVE);
  });
});
