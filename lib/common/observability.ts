import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per container; its service name comes from POWERTOOLS_SERVICE_NAME (set per function). */
export const logger = new Logger();
