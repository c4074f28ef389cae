// Prometheus metrics (GET /metrics). Each server owns its Registry so that several servers in one
// process (tests, embedding) never register the same metric twice.
import { Counter, Gauge, Registry } from 'prom-client';

export class SignalingMetrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: 'rtsmesh_connections', help: 'Connected sockets on this process', registers: [this.registry] });
  readonly loggedIn = new Gauge({ name: 'rtsmesh_logged_in', help: 'Logged-in sockets on this process', registers: [this.registry] });
  readonly sessions = new Gauge({ name: 'rtsmesh_sessions', help: 'Sessions in the store (all processes sharing it)', registers: [this.registry] });
  readonly rooms = new Gauge({ name: 'rtsmesh_rooms', help: 'Rooms with members in the store', registers: [this.registry] });
  readonly logins = new Counter({
    name: 'rtsmesh_logins_total',
    help: 'Login attempts by result code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly relayedMessages = new Counter({
    name: 'rtsmesh_relayed_messages_total',
    help: 'Message frames accepted by the relay (one per frame a client sent, acks excluded)',
    registers: [this.registry],
  });
  readonly relayDeliveries = new Counter({
    name: 'rtsmesh_relay_deliveries_total',
    help: 'Message frames delivered by the relay, counted per recipient',
    registers: [this.registry],
  });
  readonly relayedFrames = new Counter({
    name: 'rtsmesh_relayed_frames_total',
    help: 'All frames accepted by the relay, acks included',
    registers: [this.registry],
  });
  readonly relayRejections = new Counter({
    name: 'rtsmesh_relay_rejections_total',
    help: 'relay:frame / relay:room requests refused, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly rtcSignals = new Counter({ name: 'rtsmesh_rtc_signals_total', help: 'WebRTC signals forwarded', registers: [this.registry] });
  readonly serverMessages = new Counter({
    name: 'rtsmesh_server_messages_total',
    help: 'P2Server messages by result code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly restRequests = new Counter({
    name: 'rtsmesh_rest_requests_total',
    help: 'App-server REST API requests by HTTP status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
}
