// Runs statements on a fresh node-postgres connection to a test server and
// returns the last one's rows as PostgreSQL's text, so results compare
// exactly as PostgreSQL prints them.
import pg from 'pg';

export async function textRows(port: number, ...statements: string[]): Promise<string[][]> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'admin', database: 'thunderdb' });
  const raw = { getTypeParser: () => (value: string) => value };
  await client.connect();
  try {
    let last: string[][] = [];
    for (const text of statements) last = (await client.query<string[]>({ text, rowMode: 'array', types: raw })).rows;
    return last;
  } finally {
    await client.end();
  }
}
