'use strict';
/**
 * The IAM role of each saga's state machine, built from its ASL (state-machines/<name>.asl.json, the one
 * copy): it may invoke exactly the functions its Task states name and write its X-Ray traces, nothing else.
 * Read by serverless.yml as `${file(./serverless/saga-role.js):<name>}`.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const MACHINES = { registration: 'registrationSaga', order: 'orderSaga' };
const XRAY_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];

/** Task Resources anywhere in a definition, Parallel branches and Map iterators included. */
function taskResources(states) {
  return Object.values(states).flatMap((state) => [
    ...(state.Type === 'Task' ? [state.Resource] : []),
    ...(state.Branches ?? []).flatMap((branch) => taskResources(branch.States)),
    ...[state.Iterator, state.ItemProcessor].filter(Boolean).flatMap((inner) => taskResources(inner.States)),
  ]);
}

/** `arn:...:function:${self:service}-${sls:stage}-clientAdd` → the function's logical id, ClientAddLambdaFunction. */
function logicalIdOf(resource) {
  const match = /:function:\$\{self:service\}-\$\{sls:stage\}-([A-Za-z0-9]+)$/.exec(resource);
  if (!match) throw new Error(`A saga Task must call a function of this service: ${resource}`);
  const name = match[1];
  return `${name[0].toUpperCase()}${name.slice(1)}LambdaFunction`;
}

function sagaRole(file, machineName, { service, stage, region }) {
  const definition = JSON.parse(readFileSync(join(__dirname, '..', 'state-machines', file), 'utf8'));
  const functions = [...new Set(taskResources(definition.States).map(logicalIdOf))].sort();
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: `${service}-${stage}-${machineName}-${region}`,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        {
          PolicyName: 'invoke-task-functions',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['lambda:InvokeFunction'],
                Resource: functions.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })),
              },
            ],
          },
        },
        {
          // What Step Functions needs to trace an execution (the machines' tracingConfig); X-Ray has no
          // resource-level permissions.
          PolicyName: 'write-traces',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: XRAY_ACTIONS, Resource: '*' }],
          },
        },
      ],
    },
  };
}

module.exports = async ({ resolveVariable }) => {
  const context = {
    service: await resolveVariable('self:service'),
    stage: await resolveVariable('sls:stage'),
    region: await resolveVariable('self:provider.region'),
  };
  return Object.fromEntries(
    Object.entries(MACHINES).map(([file, machineName]) => [file, sagaRole(`${file}.asl.json`, machineName, context)]),
  );
};
module.exports.taskResources = taskResources;
