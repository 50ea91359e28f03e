// Unit tests exercise error paths on purpose; their log lines would only bury the test report.
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
process.env['AWS_REGION'] ??= 'us-east-1';
// Handler tests mock the service's own table; the idempotency layer is tested on its own
// (tests/unit/common/idempotency.test.ts turns it back on).
process.env['IDEMPOTENCY_TABLE'] ??= 'idempotency';
process.env['POWERTOOLS_IDEMPOTENCY_DISABLED'] ??= 'true';
