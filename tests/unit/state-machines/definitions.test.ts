import { StateMachine } from 'aws-local-stepfunctions';
import { BUSINESS_ERROR_NAMES } from '../../../lib/common/errors';
import { ORDER_SAGA_REFUSALS } from '../../../lib/sagas/orderSaga';
import { REGISTRATION_SAGA_REFUSALS } from '../../../lib/sagas/registrationSaga';
import {
  declaredFunctionNames,
  declaredFunctionTimeoutSeconds,
  functionNameOf,
  loadDefinition,
} from '../../support/definitions';

type Handler = (input: any) => unknown;

const named = (name: string, message = name) => Object.assign(new Error(message), { name });

/** Runs a definition with every Task answered by a local function; no retry waits. */
async function run(definition: any, input: unknown, handlers: Record<string, Handler>) {
  const calls: Array<{ state: string; input: any }> = [];
  const taskResourceLocalHandlers = Object.fromEntries(
    Object.keys(definition.States)
      .filter((state) => definition.States[state].Type === 'Task')
      .map((state) => [
        state,
        async (taskInput: any) => {
          calls.push({ state, input: taskInput });
          const handler = handlers[state];
          if (handler === undefined) throw new Error(`unexpected Task ${state}`);
          return handler(taskInput) as any;
        },
      ]),
  );
  const retryIntervalOverrides = Object.fromEntries(Object.keys(definition.States).map((state) => [state, 0]));
  const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const execution = machine.run(input as any, {
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides },
    context: { Execution: { Name: 'exec-1' } },
  });
  try {
    return { output: await execution.result, error: undefined, calls };
  } catch (error) {
    // The library's ExecutionError carries the Fail state's error as its cause.
    return { output: undefined, error: (error as Error & { cause: Error }).cause, calls };
  }
}

const tasksOf = (definition: any) =>
  Object.entries<any>(definition.States).filter(([, state]) => state.Type === 'Task');

/** The Task states from StartAt up to and including the pivot, following Next. */
function stepsUpToPivot(definition: any, pivot: string): string[] {
  const steps: string[] = [];
  for (let state = definition.StartAt; ; state = definition.States[state].Next) {
    steps.push(state);
    if (state === pivot) return steps;
  }
}

const sagas = [
  { file: 'registration.asl.json', pivot: 'RegisterUser', refusals: REGISTRATION_SAGA_REFUSALS },
  { file: 'order.asl.json', pivot: 'Withdraw', refusals: ORDER_SAGA_REFUSALS },
];

describe.each(sagas)('State machine: $file', ({ file, pivot, refusals }) => {
  const definition = loadDefinition(file);

  it('resolves every Task ARN to a function serverless.yml declares', () => {
    const declared = declaredFunctionNames();
    for (const [, state] of tasksOf(definition)) {
      expect(declared).toContain(functionNameOf(state.Resource));
    }
  });

  it('gives every Task a Retry that lets business errors through and retries the rest with jitter', () => {
    for (const [, state] of tasksOf(definition)) {
      const [business, inProgress, transient] = state.Retry;
      expect(business).toEqual({ ErrorEquals: [...BUSINESS_ERROR_NAMES], MaxAttempts: 0 });
      expect(inProgress.ErrorEquals).toEqual(['RequestInProgress']);
      expect(transient).toMatchObject({ ErrorEquals: ['States.ALL'], JitterStrategy: 'FULL', BackoffRate: 2 });
      expect(transient.MaxAttempts).toBeGreaterThanOrEqual(3);
    }
  });

  it('retries RequestInProgress for longer than an idempotency lock can be held (the function timeout)', () => {
    const functionTimeoutSeconds = declaredFunctionTimeoutSeconds();
    for (const [, state] of tasksOf(definition)) {
      const retrier = state.Retry.find((r: any) => r.ErrorEquals.includes('RequestInProgress'));
      // No jitter: the wait is exactly this, never a lucky run of short delays.
      expect(retrier.JitterStrategy ?? 'NONE').toBe('NONE');
      let waited = 0;
      for (let attempt = 0; attempt < retrier.MaxAttempts; attempt += 1) {
        waited += Math.min(retrier.IntervalSeconds * retrier.BackoffRate ** attempt, retrier.MaxDelaySeconds);
      }
      expect(waited).toBeGreaterThan(2 * functionTimeoutSeconds);
    }
  });

  it('catches business errors up to and including the pivot', () => {
    for (const step of stepsUpToPivot(definition, pivot)) {
      const catchers = definition.States[step].Catch ?? [];
      const caught = catchers.flatMap((catcher: any) => catcher.ErrorEquals);
      expect(caught.includes('States.ALL') || BUSINESS_ERROR_NAMES.every((name) => caught.includes(name))).toBe(true);
    }
  });

  it('fails the execution at a step from the pivot on, or in the compensation, that keeps failing: no Catch of the rest', () => {
    const afterPivot: string[] = [];
    for (let name = definition.States[pivot].Next; definition.States[name].Type === 'Task';) {
      afterPivot.push(name);
      name = definition.States[name].Next;
    }
    const compensations = tasksOf(definition)
      .map(([name]) => name)
      .filter((name) => !stepsUpToPivot(definition, pivot).includes(name) && !afterPivot.includes(name));
    expect(afterPivot.length).toBeGreaterThan(1);
    expect(compensations).toHaveLength(1);
    for (const name of [pivot, ...afterPivot, ...compensations]) {
      const caught = (definition.States[name].Catch ?? []).flatMap((catcher: any) => catcher.ErrorEquals);
      // Only business answers are caught: anything else ends the execution here, where a redrive resumes.
      expect(caught.every((error: string) => BUSINESS_ERROR_NAMES.includes(error as never))).toBe(true);
    }
    for (const name of [...afterPivot, ...compensations]) {
      expect(definition.States[name].Retry.at(-1).MaxAttempts).toBeGreaterThanOrEqual(10);
    }
  });

  it("ends only in Fail states whose errors are the saga's refusals, which the API answers as final", () => {
    const failErrors = Object.values<any>(definition.States)
      .filter((state) => state.Type === 'Fail')
      .map((state) => state.Error);

    expect(failErrors.sort()).toEqual([...refusals].sort());
  });

  it('passes each Task a request id made of the execution name and the state', async () => {
    const tasks = tasksOf(definition).map(([name]) => name);
    const echo = Object.fromEntries(
      tasks.map((name) => [name, () => ({ id: 'x', firstName: 'a', lastName: 'b', email: 'e' })]),
    );

    const { calls } = await run(
      definition,
      { login: 'l', passwordHash: 'h', firstName: 'a', lastName: 'b', email: 'e', clientId: 'c', orderId: 'o', sum: 1 },
      echo,
    );

    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call.input.requestId).toBe(`exec-1/${call.state}`);
  });
});

describe('Saga: client registration', () => {
  const definition = loadDefinition('registration.asl.json');
  const input = {
    clientId: 'c-1',
    login: 'ivan',
    passwordHash: 'scrypt$…',
    firstName: 'Ivan',
    lastName: 'Petrov',
    email: 'ivan@example.com',
  };
  const client = { id: 'c-1', firstName: 'Ivan', lastName: 'Petrov', email: 'ivan@example.com', status: 'PENDING' };
  const happy: Record<string, Handler> = {
    AddClient: () => client,
    RegisterUser: () => ({ userId: 'u-1', login: 'ivan', clientId: 'c-1' }),
    ApproveClient: () => ({ status: 'OK' }),
    CreateAccount: () => ({ clientId: 'c-1', balance: 0 }),
    NotifyClientCreated: () => ({ id: 'n-1' }),
  };

  it('runs the five steps in order and answers the client id and login', async () => {
    const { output, calls } = await run(definition, input, happy);

    expect(calls.map((call) => call.state)).toEqual([
      'AddClient',
      'RegisterUser',
      'ApproveClient',
      'CreateAccount',
      'NotifyClientCreated',
    ]);
    expect(calls[1]?.input.input).toEqual({ login: 'ivan', passwordHash: 'scrypt$…', clientId: 'c-1' });
    expect(calls[4]?.input.input).toEqual({
      clientId: 'c-1',
      firstName: 'Ivan',
      lastName: 'Petrov',
      email: 'ivan@example.com',
      login: 'ivan',
    });
    expect(output).toEqual({ clientId: 'c-1', login: 'ivan' });
  });

  it('rejects the client and ends in LoginTaken when the login is taken', async () => {
    const { error, calls } = await run(definition, input, {
      ...happy,
      RegisterUser: () => {
        throw named('LoginTaken', 'Login is taken');
      },
      RejectClient: () => ({ status: 'OK' }),
    });

    expect(calls.map((call) => call.state)).toEqual(['AddClient', 'RegisterUser', 'RejectClient']);
    expect(calls[2]?.input).toEqual({ requestId: 'exec-1/RejectClient', input: { clientId: 'c-1' } });
    expect(error?.name).toBe('LoginTaken');
  });

  it('retries a transient failure of a step and completes', async () => {
    let failures = 2;
    const { output, calls } = await run(definition, input, {
      ...happy,
      ApproveClient: () => {
        if (failures-- > 0) throw named('Lambda.ServiceException');
        return { status: 'OK' };
      },
    });

    expect(calls.filter((call) => call.state === 'ApproveClient')).toHaveLength(3);
    expect(output).toEqual({ clientId: 'c-1', login: 'ivan' });
  });
});

describe('Saga: order creation', () => {
  const definition = loadDefinition('order.asl.json');
  const input = { orderId: 'o-1', clientId: 'c-1', sum: 25.5 };
  const happy: Record<string, Handler> = {
    CreateOrder: () => ({ id: 'o-1', clientId: 'c-1', sum: 25.5, status: 'PENDING' }),
    Withdraw: () => ({ clientId: 'c-1', balance: 74.5 }),
    ConfirmOrder: () => ({ status: 'OK' }),
    NotifyOrderCreated: () => ({ id: 'n-1' }),
  };

  it('creates, pays, confirms and notifies', async () => {
    const { output, calls } = await run(definition, input, happy);

    expect(calls.map((call) => call.state)).toEqual(['CreateOrder', 'Withdraw', 'ConfirmOrder', 'NotifyOrderCreated']);
    expect(calls[3]?.input.input).toEqual({ clientId: 'c-1', orderId: 'o-1', sum: 25.5 });
    expect(output).toEqual({ orderId: 'o-1', status: 'CONFIRMED' });
  });

  it('rejects the order with the reason and ends in InsufficientFunds when the withdrawal is refused', async () => {
    const { error, calls } = await run(definition, input, {
      ...happy,
      Withdraw: () => {
        throw named('InsufficientFunds', 'Not enough money');
      },
      RejectOrder: () => ({ status: 'OK' }),
    });

    expect(calls.map((call) => call.state)).toEqual(['CreateOrder', 'Withdraw', 'RejectOrder']);
    expect(calls[2]?.input.input).toEqual({ orderId: 'o-1', reason: 'InsufficientFunds' });
    expect(error?.name).toBe('InsufficientFunds');
  });

  it('does not retry a business error of the pivot', async () => {
    const { calls } = await run(definition, input, {
      ...happy,
      Withdraw: () => {
        throw named('InsufficientFunds');
      },
      RejectOrder: () => ({ status: 'OK' }),
    });

    expect(calls.filter((call) => call.state === 'Withdraw')).toHaveLength(1);
  });

  it('never compensates after the pivot: a confirmation that keeps failing fails the execution with its error', async () => {
    const { error, calls } = await run(definition, input, {
      ...happy,
      ConfirmOrder: () => {
        throw named('DependencyFailure');
      },
    });

    expect(calls.filter((call) => call.state === 'ConfirmOrder')).toHaveLength(11);
    expect(calls.map((call) => call.state)).not.toContain('RejectOrder');
    expect(error?.name).toBe('DependencyFailure');
  });

  it('rejects an order whose creation kept failing, since it may exist, and ends in OrderFailed', async () => {
    const { error, calls } = await run(definition, input, {
      ...happy,
      CreateOrder: () => {
        throw named('Lambda.ServiceException');
      },
      RejectOrder: () => {
        throw named('NotFound', 'Order not found');
      },
    });

    expect(calls.filter((call) => call.state === 'CreateOrder')).toHaveLength(4);
    expect(calls.map((call) => call.state)).toContain('RejectOrder');
    expect(calls.map((call) => call.state)).not.toContain('Withdraw');
    expect(error?.name).toBe('OrderFailed');
  });

  it('ends in OrderFailed without compensating when the order input is refused', async () => {
    const { error, calls } = await run(definition, input, {
      ...happy,
      CreateOrder: () => {
        throw named('ValidationError');
      },
    });

    expect(calls.map((call) => call.state)).toEqual(['CreateOrder']);
    expect(error?.name).toBe('OrderFailed');
  });
});
