// The embedded DynamoDB (dynalite on LevelDB) in a process of its own, so that it has a core to
// itself: parsing and storing then run in parallel under `npm start`. Plain JavaScript, so it starts
// with bare `node` whatever loader the parent runs under. The parent passes host, port and data
// folder as arguments; this answers `{ port }` over IPC once listening, and closes LevelDB cleanly
// when told to, when the parent goes away, or on SIGTERM.
import dynalite from 'dynalite';

const [host = '127.0.0.1', port = '0', path] = process.argv.slice(2);
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });

let closing;
function close() {
  closing ??= new Promise((resolve) => server.close(() => resolve())).then(() => process.exit(0));
  return closing;
}

server.once('error', (error) => {
  process.send?.({ error: error.message, code: error.code });
  process.exit(1);
});
server.listen(Number(port), host, () => process.send?.({ port: server.address().port }));
process.on('message', (message) => {
  if (message === 'close') close();
});
process.on('disconnect', close);
process.on('SIGTERM', close);
