import { Client, Connection } from '@temporalio/client';

export async function connectClient(options: { address: string; namespace: string }) {
  const connection = await Connection.connect({ address: options.address });
  return { connection, client: new Client({ connection, namespace: options.namespace }) };
}
