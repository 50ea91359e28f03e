import { paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './aws';

/** Every item a query matches, following DynamoDB's pages (a page stops at 1 MB, not at the last item). */
export async function queryAll<T>(query: QueryCommandInput): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateQuery({ client: documentClient }, query)) {
    items.push(...((page.Items ?? []) as T[]));
  }
  return items;
}
