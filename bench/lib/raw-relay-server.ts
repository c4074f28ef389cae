// Raw baseline server: socket.io with nothing but forwarding. No auth, no validation, no acks on
// the data path — the floor any signaling server built on socket.io can reach.
//   hello(uid, ack)            name this socket
//   to(uid, data)              → 'from'(fromUid, data) on that user's socket
//   join(room, ack(members))   → 'joined'(uid) to the room's other sockets
//   room(room, data)           → 'room'(fromUid, data) to every other socket in the room
//   signal(uid, sig)           → 'signal'(fromUid, sig) (WebRTC signaling for raw meshes)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';

export interface RawRelayServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startRawRelayServer(port = 0): Promise<RawRelayServer> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], maxHttpBufferSize: 4 * 1024 * 1024, serveClient: false });
  const byUid = new Map<string, Socket>();
  const rooms = new Map<string, Set<string>>();

  io.on('connection', (socket) => {
    let uid = '';
    socket.on('hello', (u: string, ack?: (ok: boolean) => void) => {
      uid = u;
      byUid.set(uid, socket);
      ack?.(true);
    });
    socket.on('to', (to: string, data: unknown) => byUid.get(to)?.emit('from', uid, data));
    socket.on('signal', (to: string, sig: unknown) => byUid.get(to)?.emit('signal', uid, sig));
    socket.on('join', (room: string, ack?: (members: string[]) => void) => {
      let members = rooms.get(room);
      if (!members) rooms.set(room, (members = new Set()));
      const before = [...members];
      members.add(uid);
      void socket.join(room);
      socket.to(room).emit('joined', uid);
      ack?.(before);
    });
    socket.on('room', (room: string, data: unknown) => socket.to(room).emit('room', uid, data));
    socket.on('disconnect', () => {
      if (byUid.get(uid) === socket) byUid.delete(uid);
      for (const m of rooms.values()) m.delete(uid);
    });
  });

  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const actual = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        io.disconnectSockets(true);
        io.close(() => resolve());
        http.closeAllConnections?.();
      }),
  };
}
