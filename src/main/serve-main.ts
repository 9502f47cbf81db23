// Process entry for browser mode when started without the CLI (npm start fallback, e2e harness).
import { serveBrowserMode } from './serve.ts';
import { resolveDataDir } from './paths.ts';

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : Number(process.env['LOUPE_PORT'] ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`loupe: --port must be a number from 0 to 65535 (got ${process.argv[portArg + 1]})`);
  process.exit(2);
}
try {
  const host = await serveBrowserMode({
    dataDir: resolveDataDir(),
    port,
    announce: process.env['LOUPE_ANNOUNCE'] === 'json' ? (url) => console.log(`LOUPE_URL ${url}`) : undefined,
  });
  const stop = (): void => void host.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (e) {
  const code = (e as NodeJS.ErrnoException).code;
  console.error(code === 'EADDRINUSE' ? `loupe: port ${port} is already in use; pick another with --port` : `loupe: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
