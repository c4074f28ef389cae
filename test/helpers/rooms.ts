// The set-up of the multi-process room tests: a real signaling server and a fleet of engine
// processes (bench/lib/rooms-fleet.ts) for the whole test file, ended after it.
import { afterAll, beforeAll } from 'vitest';
import { RoomsFleet } from '../../bench/lib/rooms-fleet.js';
import { startTestServer, type TestServer } from './server.js';

/** Starts both before the file's tests and hands them over; stops both after. */
export function useRoomsFleet(processes: number, ready: (server: TestServer, fleet: RoomsFleet) => void): void {
  let server: TestServer | undefined;
  let fleet: RoomsFleet | undefined;
  beforeAll(async () => {
    server = await startTestServer();
    fleet = await RoomsFleet.start(processes);
    ready(server, fleet);
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
    await server?.close();
  });
}
