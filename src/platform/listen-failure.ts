/**
 * A server that could not listen, said in one line a new user can act on: what it was, the address,
 * the setting that moves it, and the system's reason. The code (EADDRINUSE) is kept: npm start reads
 * it to know that no other build of the platform would do better (src/main.ts). The syscall says that
 * the message is the whole story, so no stack trace follows it (src/platform/startup.ts).
 */
export function listenFailure(what: string, address: string, setting: string, cause: unknown): Error {
  const { code, message } = cause as NodeJS.ErrnoException;
  const error = new Error(`${what} could not listen on ${address} (${setting}): ${message}`);
  return Object.assign(error, { code, syscall: 'listen' });
}
