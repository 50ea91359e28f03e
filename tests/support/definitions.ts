import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { BUSINESS_ERROR_NAMES } from '../../lib/common/errors';
import { LOCAL_STAGE } from '../../local/config';
import { SERVICE } from '../../local/stackNames';
import { substitutePseudoParameters } from '../../local/stepfunctions/machines';

const ROOT = join(__dirname, '..', '..');

/**
 * A state machine definition as deployed for a stage: the file from state-machines/ with the Serverless
 * variables and CloudFormation pseudo-parameters it uses filled in, exactly what `sls print` resolves (the
 * deploy tests hold it to what `sls package` makes of the same file).
 */
export function loadDefinition(file: string, stage = LOCAL_STAGE): any {
  const text = readFileSync(join(ROOT, 'state-machines', file), 'utf8')
    .replaceAll('"${self:custom.businessErrors}"', JSON.stringify(BUSINESS_ERROR_NAMES))
    .replaceAll('${self:service}', SERVICE)
    .replaceAll('${sls:stage}', stage);
  return substitutePseudoParameters(JSON.parse(text));
}

/** The names of all functions serverless.yml declares (from functions/<service>/functions.yml). */
export function declaredFunctionNames(): string[] {
  const dir = join(ROOT, 'functions');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      try {
        const text = readFileSync(join(dir, entry.name, 'functions.yml'), 'utf8');
        return Object.keys((load(text) as Record<string, unknown>) ?? {});
      } catch {
        return [];
      }
    });
}

export function functionNameOf(resourceArn: string): string {
  const match = /^arn:aws:lambda:[^:]+:\d{12}:function:shop-[a-z]+-([A-Za-z0-9]+)$/.exec(resourceArn);
  if (!match?.[1]) throw new Error(`Not a Lambda function ARN of this stack: ${resourceArn}`);
  return match[1];
}

/** The longest function timeout serverless.yml sets (the provider's, or a function's own), in seconds. */
export function declaredFunctionTimeoutSeconds(): number {
  const files = [
    join(ROOT, 'serverless.yml'),
    ...readdirSync(join(ROOT, 'functions')).map((service) => join(ROOT, 'functions', service, 'functions.yml')),
  ];
  const timeouts = files.flatMap((file) => {
    try {
      return [...readFileSync(file, 'utf8').matchAll(/^\s*timeout:\s*(\d+)\s*$/gm)].map((match) => Number(match[1]));
    } catch {
      return [];
    }
  });
  if (timeouts.length === 0) throw new Error('serverless.yml sets no function timeout');
  return Math.max(...timeouts);
}
