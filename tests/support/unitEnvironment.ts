// Unit tests exercise error paths on purpose; their log lines would only bury the test report.
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
process.env['AWS_REGION'] ??= 'us-east-1';
