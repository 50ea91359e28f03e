import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import aslValidator from 'asl-validator';
import { tables } from '../../lib/common/config';
import { BUSINESS_ERROR_NAMES } from '../../lib/common/errors';
import { COPY_MARK } from '../../local/faults/functionFaults';
import { FAULT_VARIABLES, INJECTED_FAULT_MESSAGE } from '../../local/faults/settings';
import { ORDER_SAGA_REFUSALS } from '../../lib/sagas/orderSaga';
import { REGISTRATION_SAGA_REFUSALS } from '../../lib/sagas/registrationSaga';
import { BUDGET_BYTES, zipEntries } from '../../serverless/bundle-sizes';
import { gatewayAnswer, gatewayResponsesOf } from '../../serverless/offline-gateway';
import { WATCHED } from '../../monitoring/watched';
import { loadDefinition } from '../support/definitions';
import { type CfnResource, type PackagedStack, packageStack, zipTexts } from './packageStack';

/**
 * What `sls package` makes of serverless.yml for the stages that are deployed (LocalStack, dev, prod),
 * checked without any cloud: the CloudFormation template and the zips.
 */

const STAGES = ['local', 'dev', 'prod'] as const;
/** Where X-Ray traces (serverless.yml's custom.stage.tracing): AWS; LocalStack's community edition has no X-Ray. */
const TRACED: Record<(typeof STAGES)[number], boolean> = { local: false, dev: true, prod: true };
const ROOT = join(__dirname, '..', '..');
const IDEMPOTENCY = 'idempotency';
const read = (table: string, ...indexes: string[]) => [
  `read:${table}`,
  ...indexes.map((index) => `read:${table}/index/${index}`),
];
const write = (table: string) => [`write:${table}`];
const invoke = (fn: string) => `invoke:${fn}`;
const start = (saga: string) => `start:${saga}`;
const describeExecutions = (saga: string) => `describe:${saga}`;

/**
 * Every function and all it may reach: its own service's tables (Client → clients; Auth → users,
 * sessions, login failures; Billing → billing; Order → orders; Notification → notifications), the
 * idempotency records if it changes state, the functions it calls, its own saga. Nothing else.
 */
const ALLOWED: Record<string, string[]> = {
  devServiceInfo: [],
  clientAdd: [...write('ClientsTable'), IDEMPOTENCY],
  clientApprove: [...write('ClientsTable'), IDEMPOTENCY],
  clientReject: [...write('ClientsTable'), IDEMPOTENCY],
  clientGet: read('ClientsTable'),
  authRegister: [...write('UsersTable'), IDEMPOTENCY],
  authLogin: [...read('UsersTable'), ...write('SessionsTable'), ...write('LoginFailuresTable')],
  authLogout: write('SessionsTable'),
  authSignin: [],
  authorizer: read('SessionsTable'),
  apiMe: [invoke('clientGet'), invoke('billingGet')],
  billingCreateAccount: [...write('BillingTable'), IDEMPOTENCY],
  billingDeposit: [...write('BillingTable'), IDEMPOTENCY],
  billingWithdraw: [...write('BillingTable'), IDEMPOTENCY],
  billingGet: read('BillingTable'),
  billingTransactions: read('BillingTable'),
  apiDeposit: [...write('BillingTable'), IDEMPOTENCY],
  orderCreate: [...write('OrdersTable'), IDEMPOTENCY],
  orderConfirm: [...write('OrdersTable'), IDEMPOTENCY],
  orderReject: [...write('OrdersTable'), IDEMPOTENCY],
  orderGet: read('OrdersTable', 'byClient'),
  apiOrders: read('OrdersTable', 'byClient'),
  apiOrder: read('OrdersTable', 'byClient'),
  notifyNewClientCreated: [...write('NotificationsTable'), IDEMPOTENCY],
  notifyNewOrderCreated: [...write('NotificationsTable'), IDEMPOTENCY, invoke('clientGet')],
  notificationLast: read('NotificationsTable', 'byClient', 'byTime'),
  notificationsOfClient: read('NotificationsTable', 'byClient', 'byTime'),
  apiNotifications: read('NotificationsTable', 'byClient', 'byTime'),
  registerClient: [start('registrationSaga'), describeExecutions('registrationSaga')],
  registrationStatus: [describeExecutions('registrationSaga')],
  createOrder: [start('orderSaga'), describeExecutions('orderSaga')],
  orderStatus: [describeExecutions('orderSaga')],
};

const READ_ACTIONS = new Set(['dynamodb:GetItem', 'dynamodb:Query']);
const WRITE_ACTIONS = new Set([
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
]);
const LOG_ACTIONS = new Set(['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents', 'logs:TagResource']);
/** Writing X-Ray segments: what a function needs to trace, and (with the sampling rules) a state machine. */
const TRACE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
const MACHINE_TRACE_ACTIONS = [...TRACE_ACTIONS, 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];
/** X-Ray has no resource-level permissions: its statements name `*` and nothing else. */
const isTraceStatement = (statement: Statement) =>
  asArray(statement.Action).every((action) => MACHINE_TRACE_ACTIONS.includes(action)) &&
  JSON.stringify(asArray(statement.Resource)) === '["*"]';
const KNOWN_ACTIONS = [
  ...READ_ACTIONS,
  ...WRITE_ACTIONS,
  ...LOG_ACTIONS,
  ...TRACE_ACTIONS,
  'lambda:InvokeFunction',
  'states:StartExecution',
  'states:DescribeExecution',
];

type Resources = Record<string, CfnResource>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);
const lowerFirst = (name: string) => `${name[0]!.toLowerCase()}${name.slice(1)}`;

/** A policy Resource as text: `ClientsTable` for its ARN, `OrdersTable/index/byClient`, or the ARN string. */
function resourceText(resource: any): string {
  if (typeof resource === 'string') return resource;
  if (resource['Fn::GetAtt']) return resource['Fn::GetAtt'][0];
  if (resource.Ref) return resource.Ref;
  if (resource['Fn::Join']) return resource['Fn::Join'][1].map(resourceText).join(resource['Fn::Join'][0]);
  if (resource['Fn::Sub']) return asArray(resource['Fn::Sub'])[0] as string;
  throw new Error(`Unexpected policy resource ${JSON.stringify(resource)}`);
}

function statementsOf(role: CfnResource): Statement[] {
  return role.Properties.Policies.flatMap((policy: any) => policy.PolicyDocument.Statement);
}

/** What a role reaches, in the vocabulary of ALLOWED; log and trace statements are checked on their own. */
function accessOf(statements: Statement[], stage: string): string[] {
  return statements.flatMap((statement) => {
    const actions = asArray(statement.Action);
    const targets = asArray(statement.Resource).map(resourceText);
    if (actions.every((action) => LOG_ACTIONS.has(action)) || isTraceStatement(statement)) return [];
    if (actions.every((action) => action.startsWith('dynamodb:'))) {
      const mode = actions.some((action) => WRITE_ACTIONS.has(action)) ? 'write' : 'read';
      return targets.map((table) => (table === 'IdempotencyTable' ? IDEMPOTENCY : `${mode}:${table}`));
    }
    if (actions.length === 1 && actions[0] === 'lambda:InvokeFunction') {
      return targets.map((fn) => invoke(lowerFirst(fn.replace(/LambdaFunction$/, ''))));
    }
    if (actions.length === 1 && actions[0] === 'states:StartExecution') {
      return targets.map((saga) => start(lowerFirst(saga)));
    }
    if (actions.length === 1 && actions[0] === 'states:DescribeExecution') {
      const pattern = new RegExp(`:execution:shop-${stage}-([A-Za-z]+):\\*$`);
      return targets.map((arn) => describeExecutions(pattern.exec(arn)?.[1] ?? `unexpected ${arn}`));
    }
    return [`unexpected ${actions.join(',')} on ${targets.join(',')}`];
  });
}

/** A state machine's definition as Step Functions will see it: the Fn::Sub variables filled in. */
function definitionOf(stateMachine: CfnResource): any {
  const [text, variables = {}] = asArray(
    stateMachine.Properties.DefinitionString['Fn::Sub'] ?? [stateMachine.Properties.DefinitionString],
  ) as [string, Record<string, unknown>?];
  const known: Record<string, string> = {
    'AWS::Region': 'us-east-1',
    'AWS::AccountId': '000000000000',
    'AWS::Partition': 'aws',
  };
  return JSON.parse(
    text.replace(
      /\$\{([^}]+)\}/g,
      (whole, name: string) => known[name] ?? (name in variables ? `resolved-${name}` : whole),
    ),
  );
}

/** serverless-step-functions writes every state's QueryLanguage, JSONPath, which is Step Functions' default. */
function withoutDefaultQueryLanguage(definition: any): any {
  const states = Object.entries<any>(definition.States).map(([name, state]) => {
    const { QueryLanguage, ...rest } = state;
    return [name, QueryLanguage === 'JSONPath' ? rest : state];
  });
  return { ...definition, States: Object.fromEntries(states) };
}

function taskResources(states: Record<string, any>): string[] {
  return Object.values(states).flatMap((state) => [
    ...(state.Type === 'Task' ? [state.Resource as string] : []),
    ...(state.Branches ?? []).flatMap((branch: any) => taskResources(branch.States)),
    ...[state.Iterator, state.ItemProcessor].filter(Boolean).flatMap((inner: any) => taskResources(inner.States)),
  ]);
}

/** Logical ids a resource depends on: DependsOn, Ref, Fn::GetAtt and the ${Name} of Fn::Sub strings. */
function dependenciesOf(resource: CfnResource, ids: Set<string>): Set<string> {
  const found = new Set(asArray(resource.DependsOn ?? []));
  const visit = (node: any): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    if (typeof node.Ref === 'string') found.add(node.Ref);
    if (Array.isArray(node['Fn::GetAtt'])) found.add(node['Fn::GetAtt'][0]);
    if (node['Fn::Sub'] !== undefined) {
      const text = asArray(node['Fn::Sub'])[0] as string;
      for (const match of text.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z]+)?\}/g)) found.add(match[1]!);
    }
    Object.values(node).forEach(visit);
  };
  visit(resource.Properties);
  return new Set([...found].filter((id) => ids.has(id)));
}

function findCycle(resources: Resources): string[] | undefined {
  const ids = new Set(Object.keys(resources));
  const edges = new Map([...ids].map((id) => [id, dependenciesOf(resources[id]!, ids)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const walk = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    for (const next of edges.get(id)!) {
      const cycle = walk(next, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of ids) {
    const cycle = walk(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Environment variable names of tables the code reads: the `tables` getters and direct requireEnv calls. */
function tableVariablesReadByCode(): string[] {
  const names = new Set<string>();
  const scan = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) scan(path);
      else if (entry.name.endsWith('.ts')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/requireEnv\('([A-Z_]+_TABLE)'\)/g))
          names.add(match[1]!);
      }
    }
  };
  scan(join(ROOT, 'lib'));
  return [...names].sort();
}

/** The sagas' answers (the errors of their Fail states): what the redrive alarm leaves out. */
const SAGA_REFUSALS = [...REGISTRATION_SAGA_REFUSALS, ...ORDER_SAGA_REFUSALS];

const stacks = new Map<string, PackagedStack>();

beforeAll(async () => {
  // A shell that has fault injection's variables set, to show that no packaged stage takes them.
  const saved = { ...process.env };
  Object.assign(process.env, { FAULT_RATE: '1', FAULT_KINDS: 'after', FAULT_FUNCTIONS: 'billingWithdraw' });
  try {
    // Packaging bundles every function: the three stages at once take about as long as one.
    for (const stack of await Promise.all(STAGES.map(packageStack))) stacks.set(stack.stage, stack);
  } finally {
    process.env = saved;
  }
}, 300_000);

afterAll(() => {
  for (const stack of stacks.values()) stack.remove();
});

describe.each(STAGES)('Packaged stack: stage %s', (stage) => {
  const stack = () => stacks.get(stage)!;
  const resources = () => stack().template.Resources;
  const functions = () => ofType(resources(), 'AWS::Lambda::Function');
  const functionKey = (logicalId: string) => lowerFirst(logicalId.replace(/LambdaFunction$/, ''));

  it('has no dependency cycle between its resources', () => {
    expect(findCycle(resources())).toBeUndefined();
  });

  it('names every table, function, state machine and the API with the stage', () => {
    const names = [
      ...ofType(resources(), 'AWS::DynamoDB::Table').map(([, table]) => table.Properties.TableName),
      ...functions().map(([, fn]) => fn.Properties.FunctionName),
      ...ofType(resources(), 'AWS::StepFunctions::StateMachine').map(
        ([, machine]) => machine.Properties.StateMachineName,
      ),
      ...ofType(resources(), 'AWS::ApiGateway::RestApi').map(([, api]) => api.Properties.Name),
    ];
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) expect(name).toMatch(new RegExp(`(^|-)${stage}-`));
  });

  it('declares every table the code reads', () => {
    const declared = ofType(resources(), 'AWS::DynamoDB::Table').map(([, table]) => table.Properties.TableName);
    const environment = Object.assign({}, ...functions().map(([, fn]) => fn.Properties.Environment.Variables));
    const saved = { ...process.env };
    try {
      Object.assign(process.env, environment);
      for (const getter of Object.values(tables)) expect(declared).toContain(getter());
      for (const variable of tableVariablesReadByCode()) expect(declared).toContain(environment[variable]);
    } finally {
      process.env = saved;
    }
  });

  it('points no function at an endpoint: on LocalStack and AWS the SDK finds its own', () => {
    for (const [, fn] of functions()) {
      const names = Object.keys(fn.Properties.Environment.Variables);
      expect(names.filter((name) => name.startsWith('AWS_ENDPOINT_URL'))).toEqual([]);
    }
  });

  it('gives no function the fault injection variables, even when the packaging shell has them', () => {
    for (const [id, fn] of functions()) {
      const names = Object.keys(fn.Properties.Environment.Variables);
      expect({ [id]: names.filter((name) => (FAULT_VARIABLES as readonly string[]).includes(name)) }).toEqual({
        [id]: [],
      });
    }
  });

  it('leaves the fault injection code out of every bundle', async () => {
    const bundles: { zip: string; file: string; text: string }[] = [];
    for (const [, fn] of functions()) {
      const zip = basename(fn.Properties.Code.S3Key);
      for (const [file, text] of await zipTexts(join(stack().dir, zip))) bundles.push({ zip, file, text });
    }
    // What is left of it: the state-changing functions keep the product's hook (lib/common/handler.ts), which
    // returns their chain as it is; the fault module (local/faults/) it would require is not in the bundle.
    expect(bundles.filter(({ text }) => text.includes('"withFaultHook"')).length).toBeGreaterThan(10);
    for (const { zip, file, text } of bundles) {
      const markers = [COPY_MARK, INJECTED_FAULT_MESSAGE, ...FAULT_VARIABLES];
      const faultCode = markers.filter((marker) => text.includes(marker));
      expect({ zip, file, faultCode }).toEqual({ zip, file, faultCode: [] });
    }
  });

  it('resolves every Task of each state machine to a function of the stack', () => {
    const deployed = functions().map(([, fn]) => fn.Properties.FunctionName);
    for (const [, machine] of ofType(resources(), 'AWS::StepFunctions::StateMachine')) {
      const tasks = taskResources(definitionOf(machine).States);
      expect(tasks.length).toBeGreaterThan(0);
      for (const arn of tasks) {
        expect(arn).toMatch(/^arn:aws:lambda:us-east-1:000000000000:function:/);
        expect(deployed).toContain(arn.split(':function:')[1]);
      }
    }
  });

  it('deploys each state machine as the tests read it, with the business errors of lib/common/ injected', () => {
    const machines = ofType(resources(), 'AWS::StepFunctions::StateMachine');

    expect(machines.map(([id]) => id).sort()).toEqual(['OrderSaga', 'RegistrationSaga']);
    for (const [id, machine] of machines) {
      const file = `${id.replace(/Saga$/, '').toLowerCase()}.asl.json`;
      expect(withoutDefaultQueryLanguage(definitionOf(machine))).toEqual(loadDefinition(file, stage));
      expect(definitionOf(machine).States[definitionOf(machine).StartAt].Retry[0].ErrorEquals).toEqual([
        ...BUSINESS_ERROR_NAMES,
      ]);
    }
  });

  it('passes every state machine definition through asl-validator', () => {
    for (const [, machine] of ofType(resources(), 'AWS::StepFunctions::StateMachine')) {
      const { isValid, errors } = aslValidator(definitionOf(machine), { checkArn: true, checkPaths: true });
      expect(errors).toEqual([]);
      expect(isValid).toBe(true);
    }
  });

  it('lets each state machine invoke its Task functions and write its traces, nothing else', () => {
    for (const [, machine] of ofType(resources(), 'AWS::StepFunctions::StateMachine')) {
      const role = resources()[machine.Properties.RoleArn['Fn::GetAtt'][0]]!;
      const tasks = taskResources(definitionOf(machine).States).map((arn) => arn.split(`-${stage}-`)[1]);
      const statements = statementsOf(role);
      expect(statements.flatMap((statement) => asArray(statement.Action))).toEqual([
        'lambda:InvokeFunction',
        ...MACHINE_TRACE_ACTIONS,
      ]);
      expect(statements.filter(isTraceStatement)).toHaveLength(1);
      expect(accessOf(statements, stage).sort()).toEqual([...new Set(tasks)].map((fn) => invoke(fn!)).sort());
    }
  });

  it('grants no wildcard action, and no wildcard resource beyond log streams, saga executions and X-Ray', () => {
    for (const [, role] of ofType(resources(), 'AWS::IAM::Role')) {
      for (const statement of statementsOf(role)) {
        for (const action of asArray(statement.Action)) expect(action).not.toContain('*');
        if (isTraceStatement(statement)) continue; // X-Ray has no resource-level permissions
        for (const resource of asArray(statement.Resource).map(resourceText)) {
          expect(resource).not.toContain('#{'); // a pseudo-parameter left unsubstituted matches nothing
          // The Framework's shared role, kept by the functions that reach nothing, writes to this stack's log groups.
          const rest = resource
            .replace(/(:\*)+$/, '')
            .replace(`/aws/lambda/shop-${stage}*`, `/aws/lambda/shop-${stage}`);
          expect(rest).not.toContain('*');
        }
      }
    }
  });

  it("gives each function a role that reaches only its own service's data, the functions it calls and its saga", () => {
    const seen = functions().map(([id]) => functionKey(id));
    expect(seen.sort()).toEqual(Object.keys(ALLOWED).sort());
    for (const [id, fn] of functions()) {
      const key = functionKey(id);
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const statements = statementsOf(resources()[roleId]!);
      expect({ [key]: accessOf(statements, stage).sort() }).toEqual({ [key]: [...ALLOWED[key]!].sort() });
      for (const statement of statements) {
        const actions = asArray(statement.Action);
        for (const action of actions) expect(KNOWN_ACTIONS).toContain(action);
        if (accessOf([statement], stage).every((access) => access.startsWith('read:'))) {
          expect(actions.filter((action) => WRITE_ACTIONS.has(action))).toEqual([]);
        }
      }
      if (roleId === 'IamRoleLambdaExecution') expect(ALLOWED[key]).toEqual([]);
      else
        expect(
          statements.some((s) =>
            asArray(s.Resource)
              .map(resourceText)
              .some((r) => r.includes(`/aws/lambda/shop-${stage}-${key}:`)),
          ),
        ).toBe(true);
    }
  });

  it(`ships every function as a zip under ${BUDGET_BYTES / 1024 / 1024} MiB, without source maps`, async () => {
    for (const [, fn] of functions()) {
      const zip = join(stack().dir, basename(fn.Properties.Code.S3Key));
      expect({ zip: basename(zip), small: statSync(zip).size < BUDGET_BYTES }).toEqual({
        zip: basename(zip),
        small: true,
      });
      expect((await zipEntries(zip)).filter((entry) => entry.name.endsWith('.map'))).toEqual([]);
    }
  });

  it(stage === 'prod' ? 'has no dev routes' : 'has the dev routes', () => {
    const topLevel = ofType(resources(), 'AWS::ApiGateway::Resource')
      .filter(([, resource]) => resource.Properties.ParentId['Fn::GetAtt']?.[1] === 'RootResourceId')
      .map(([, resource]) => resource.Properties.PathPart);
    expect(topLevel.includes('dev')).toBe(stage !== 'prod');
    expect(topLevel).toContain('api');
  });

  if (stage !== 'prod') {
    it('requires IAM (Signature V4) on every dev route, and leaves the public API to its own checks', () => {
      const paths = new Map<string, string>();
      const apiResources = ofType(resources(), 'AWS::ApiGateway::Resource');
      const pathOf = (logicalId: string): string => {
        const known = paths.get(logicalId);
        if (known !== undefined) return known;
        const resource = resources()[logicalId]!;
        const parent = resource.Properties.ParentId.Ref as string | undefined;
        const path = `${parent === undefined ? '' : pathOf(parent)}/${resource.Properties.PathPart}`;
        paths.set(logicalId, path);
        return path;
      };
      expect(apiResources.length).toBeGreaterThan(0);
      const methods = ofType(resources(), 'AWS::ApiGateway::Method')
        .filter(([, method]) => method.Properties.HttpMethod !== 'OPTIONS')
        .map(([, method]) => ({
          path: pathOf(method.Properties.ResourceId.Ref as string),
          authorization: method.Properties.AuthorizationType as string,
        }));

      const dev = methods.filter((method) => method.path.startsWith('/dev/'));
      expect(dev.length).toBeGreaterThanOrEqual(20);
      for (const method of dev) expect(method).toEqual({ path: method.path, authorization: 'AWS_IAM' });
      for (const method of methods.filter((m) => m.path.startsWith('/api/'))) {
        expect(['NONE', 'CUSTOM']).toContain(method.authorization);
      }
    });
  }

  it('answers the gateway refusals with the bodies the local gateway gives', () => {
    const responses = gatewayResponsesOf({ Resources: resources() });
    const answer = (type: string, status: number, message: string) => {
      const { statusCode, body } = gatewayAnswer(responses, type, status, message);
      return [statusCode, JSON.parse(body)];
    };

    // The same answers tests/integration/gateway.test.ts gets from the local cloud.
    expect(answer('UNAUTHORIZED', 401, 'Unauthorized')).toEqual([401, { error: 'Unauthorized' }]);
    expect(answer('MISSING_AUTHENTICATION_TOKEN', 403, 'Missing Authentication Token')).toEqual([
      403,
      { error: 'Missing Authentication Token' },
    ]);
    expect(answer('ACCESS_DENIED', 403, 'User is not authorized')).toEqual([403, { error: 'Forbidden' }]);
    expect(answer('DEFAULT_4XX', 413, 'Request Too Long')).toEqual([413, { error: 'Request Too Long' }]);
    expect(answer('DEFAULT_5XX', 502, 'Internal server error')).toEqual([502, { error: 'Internal error' }]);
    expect(Object.keys(responses).sort()).toEqual(['ACCESS_DENIED', 'DEFAULT_4XX', 'DEFAULT_5XX', 'UNAUTHORIZED']);
  });

  it(
    stage === 'prod'
      ? 'protects every table: deletion protection, point-in-time recovery, retained with the stack'
      : 'keeps its tables disposable',
    () => {
      const protect = stage === 'prod';
      for (const [, table] of ofType(resources(), 'AWS::DynamoDB::Table')) {
        expect({
          table: table.Properties.TableName,
          deletionProtection: table.Properties.DeletionProtectionEnabled,
          pointInTimeRecovery: table.Properties.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled,
          policy: [table.DeletionPolicy, table.UpdateReplacePolicy],
          billing: table.Properties.BillingMode,
        }).toEqual({
          table: table.Properties.TableName,
          deletionProtection: protect,
          pointInTimeRecovery: protect,
          policy: protect ? ['Retain', 'Retain'] : ['Delete', 'Delete'],
          billing: 'PAY_PER_REQUEST',
        });
      }
    },
  );

  it('declares the alarms, notifying the SNS topic, and the dashboard', () => {
    const alarms = ofType(resources(), 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const names = alarms.map((alarm) => alarm.AlarmName);

    // The list of what is watched, on both sides (tests/unit/monitoring/watched.test.ts holds the sources to it).
    const watched = WATCHED.flatMap((entry) => (entry.alarm === null ? [] : [`shop-${stage}-${entry.alarm}`]));
    expect(names.sort()).toEqual(watched.sort());
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    // Waiting for a redrive: stopped, timed out, or failed with anything but one of the sagas' answers.
    const [stopped, failed] = resources()['SagaWaitingForRedriveRule']!.Properties.EventPattern.detail.$or;
    expect(stopped).toEqual({ status: ['TIMED_OUT', 'ABORTED'] });
    expect(failed.status).toEqual(['FAILED']);
    expect(failed.error[0]['anything-but'].sort()).toEqual([...SAGA_REFUSALS].sort());
    expect(ofType(resources(), 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
  });

  it('lets the operator role read and redrive the executions of the two sagas, and nothing else', () => {
    const role = resources()['SagaOperatorRole']!;
    const statements = statementsOf(role);
    const executions = (machine: string) =>
      `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:shop-${stage}-${machine}:*`;

    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
    ]);
    expect(
      statements.map((statement) => ({
        actions: asArray(statement.Action).sort(),
        resources: asArray(statement.Resource).map(resourceText).sort(),
      })),
    ).toEqual([
      {
        actions: ['states:DescribeStateMachine', 'states:ListExecutions'],
        resources: ['OrderSaga', 'RegistrationSaga'],
      },
      {
        actions: [
          'states:DescribeExecution',
          'states:DescribeStateMachineForExecution',
          'states:GetExecutionHistory',
          'states:RedriveExecution',
        ],
        resources: [executions('orderSaga'), executions('registrationSaga')],
      },
    ]);
    const redrivers = ofType(resources(), 'AWS::IAM::Role').filter(([, other]) =>
      statementsOf(other).some((statement) => asArray(statement.Action).includes('states:RedriveExecution')),
    );
    expect(redrivers.map(([id]) => id)).toEqual(['SagaOperatorRole']);
  });

  it(`throttles the API stage for every caller${TRACED[stage] ? ' and traces it' : ''}`, () => {
    const [[, deployment]] = ofType(resources(), 'AWS::ApiGateway::Deployment') as [[string, any]];
    expect(deployment.Properties.StageDescription).toEqual({
      ThrottlingRateLimit: 50,
      ThrottlingBurstLimit: 100,
      TracingEnabled: TRACED[stage],
    });
  });

  it(
    TRACED[stage]
      ? 'traces every function and state machine with X-Ray, and lets each role write its traces'
      : 'traces nothing (no X-Ray on LocalStack), though each role may write traces as on AWS',
    () => {
      const traced = TRACED[stage];
      for (const [id, fn] of functions()) {
        const role = resources()[fn.Properties.Role['Fn::GetAtt'][0]]!;
        expect({
          id,
          mode: fn.Properties.TracingConfig?.Mode,
          tracer: fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED,
          writesTraces: statementsOf(role).some(
            (statement) =>
              isTraceStatement(statement) && TRACE_ACTIONS.every((a) => asArray(statement.Action).includes(a)),
          ),
        }).toEqual({ id, mode: traced ? 'Active' : undefined, tracer: String(traced), writesTraces: true });
      }
      const machines = ofType(resources(), 'AWS::StepFunctions::StateMachine');
      expect(machines).toHaveLength(2);
      for (const [id, machine] of machines) {
        expect({ id, tracing: machine.Properties.TracingConfiguration }).toEqual({ id, tracing: { Enabled: traced } });
      }
    },
  );
});
