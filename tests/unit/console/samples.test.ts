import { histogramQuantile, parseExposition, SampleHistory } from '../../../local/console/samples';

const exposition = (executions: { succeeded: number; failed: number }, buckets: [number, number, number]) => `
# HELP saga_executions_total Finished saga executions
# TYPE saga_executions_total counter
saga_executions_total{saga="orderSaga",status="SUCCEEDED",error=""} ${executions.succeeded}
saga_executions_total{saga="orderSaga",status="FAILED",error="Lambda.ServiceException"} ${executions.failed}
saga_executions_total{saga="registrationSaga",status="SUCCEEDED",error=""} 7
saga_duration_seconds_bucket{le="0.5",saga="orderSaga",status="SUCCEEDED"} ${buckets[0]}
saga_duration_seconds_bucket{le="1",saga="orderSaga",status="SUCCEEDED"} ${buckets[1]}
saga_duration_seconds_bucket{le="+Inf",saga="orderSaga",status="SUCCEEDED"} ${buckets[2]}
`;

describe('Function: parseExposition', () => {
  it('reads names, labels (escapes included) and values, skipping comments', () => {
    const samples = parseExposition('# TYPE x counter\nx{a="1",b="say \\"hi\\""} 2.5\ny 3\n');

    expect(samples).toEqual([
      { name: 'x', labels: { a: '1', b: 'say "hi"' }, value: 2.5 },
      { name: 'y', labels: {}, value: 3 },
    ]);
  });
});

describe('Function: histogramQuantile', () => {
  it('interpolates within the bucket the rank falls in, as Prometheus does', () => {
    const buckets = [
      { le: 0.5, count: 50 },
      { le: 1, count: 100 },
      { le: Infinity, count: 100 },
    ];

    expect(histogramQuantile(0.5, buckets)).toBe(0.5);
    expect(histogramQuantile(0.75, buckets)).toBe(0.75);
    expect(histogramQuantile(0.25, buckets)).toBe(0.25);
  });

  it('answers the highest finite bound for a rank in +Inf, and nothing for no observations', () => {
    expect(
      histogramQuantile(0.99, [
        { le: 1, count: 1 },
        { le: Infinity, count: 10 },
      ]),
    ).toBe(1);
    expect(histogramQuantile(0.5, [{ le: Infinity, count: 0 }])).toBeNull();
  });
});

describe('Class: SampleHistory', () => {
  it('computes per-minute rates by a label over the last minute of samples, one value per sample', () => {
    const history = new SampleHistory();
    history.add(exposition({ succeeded: 0, failed: 0 }, [0, 0, 0]), 1000);
    history.add(exposition({ succeeded: 3, failed: 1 }, [0, 0, 0]), 1030);
    history.add(exposition({ succeeded: 6, failed: 1 }, [0, 0, 0]), 1060);

    const lines = history.evaluate({ kind: 'perMinute', metric: 'saga_executions_total', by: 'status' }, 'orderSaga');

    expect(lines).toEqual([
      { label: 'FAILED', values: [null, 2, 1] },
      { label: 'SUCCEEDED', values: [null, 6, 6] },
    ]);
  });

  it('honours "not equal" matchers and counts a restarted counter from zero', () => {
    const history = new SampleHistory();
    history.add(exposition({ succeeded: 5, failed: 4 }, [0, 0, 0]), 1000);
    history.add(exposition({ succeeded: 1, failed: 2 }, [0, 0, 0]), 1060);

    const lines = history.evaluate(
      { kind: 'perMinute', metric: 'saga_executions_total', by: 'error', match: { status: '!SUCCEEDED' } },
      'orderSaga',
    );

    expect(lines).toEqual([{ label: 'Lambda.ServiceException', values: [null, 2] }]);
  });

  it("draws a gauge's value in every snapshot, from the first one", () => {
    const history = new SampleHistory();
    const waiting = (order: number) =>
      `saga_executions_waiting_for_redrive{saga="orderSaga"} ${order}\nsaga_executions_waiting_for_redrive{saga="registrationSaga"} 3\n`;
    history.add(waiting(1), 1000);
    history.add(waiting(0), 1005);

    const lines = history.evaluate(
      { kind: 'current', metric: 'saga_executions_waiting_for_redrive', by: 'saga' },
      'orderSaga',
    );

    expect(lines).toEqual([{ label: 'orderSaga', values: [1, 0] }]);
  });

  it('computes quantiles of the observations made within the window', () => {
    const history = new SampleHistory();
    history.add(exposition({ succeeded: 0, failed: 0 }, [10, 10, 10]), 1000);
    history.add(exposition({ succeeded: 0, failed: 0 }, [60, 110, 110]), 1060);

    const [p50, p99] = history.evaluate(
      { kind: 'quantiles', metric: 'saga_duration_seconds', quantiles: [0.5, 0.99] },
      'orderSaga',
    );

    expect(p50).toEqual({ label: 'p50', values: [null, 0.5] });
    expect(p99?.label).toBe('p99');
    expect(p99?.values[1]).toBeCloseTo(0.99);
  });

  it('forgets samples older than it keeps, and lists the sagas it has seen', () => {
    const history = new SampleHistory(100);
    history.add(exposition({ succeeded: 0, failed: 0 }, [0, 0, 0]), 1000);
    history.add(exposition({ succeeded: 0, failed: 0 }, [0, 0, 0]), 1050);
    history.add(exposition({ succeeded: 0, failed: 0 }, [0, 0, 0]), 1150);

    expect(history.timestamps).toEqual([1050, 1150]);
    expect(history.labelValues('saga_executions_total', 'saga')).toEqual(['orderSaga', 'registrationSaga']);
  });
});
