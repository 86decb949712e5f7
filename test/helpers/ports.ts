/**
 * A TCP port free on 127.0.0.1 right now, for configs that need a fixed port (a listener kept across a
 * restart). Picked at random below Linux's ephemeral range (32768+), so the kernel does not hand the
 * same port to some other socket between this check and the test's own bind.
 */
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

function tryPort(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = randomInt(20_000, 32_000);
    if (await tryPort(port)) return port;
  }
  throw new Error('no free port found in 20000-32000 after 50 tries');
}
