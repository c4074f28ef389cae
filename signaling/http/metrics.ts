// Prometheus metrics (GET /metrics). Each server owns its Registry so that several servers in one
// process (tests, embedding) never register the same metric twice; each registry also carries
// prom-client's process and Node.js default metrics (memory, CPU, event-loop lag, GC).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds, from 1 ms to 10 s: logins (a Redis round trip or two) and relay hops. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class SignalingMetrics {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  private readonly gauge = (name: string, help: string) => new Gauge({ name, help, registers: [this.registry] });
  private readonly counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [this.registry] });

  readonly connections = this.gauge('rtsmesh_connections', 'Connected sockets on this process');
  readonly loggedIn = this.gauge('rtsmesh_logged_in', 'Logged-in sockets on this process');
  readonly sessions = this.gauge('rtsmesh_sessions', 'Sessions in the store (all processes sharing it)');
  readonly rooms = this.gauge('rtsmesh_rooms', 'Rooms with members in the store');
  readonly logins = this.counter('rtsmesh_logins_total', 'Login attempts by result code', ['code']);
  readonly relayedMessages = this.counter('rtsmesh_relayed_messages_total', 'Message frames accepted by the relay (one per frame a client sent, acks excluded)');
  readonly relayDeliveries = this.counter('rtsmesh_relay_deliveries_total', 'Message frames delivered by the relay, counted per recipient');
  readonly relayedFrames = this.counter('rtsmesh_relayed_frames_total', 'All frames accepted by the relay, acks included');
  readonly relayResentFrames = this.counter('rtsmesh_relay_resent_frames_total', 'Message frames accepted by the relay that were sent again (x:1: resend timer, path switch, replay)');
  readonly relayAckFrames = this.counter('rtsmesh_relay_ack_frames_total', 'Ack frames accepted by the relay');
  readonly relayRejections = this.counter('rtsmesh_relay_rejections_total', 'relay:frame / relay:room requests refused, by code', ['code']);
  readonly rtcSignals = this.counter('rtsmesh_rtc_signals_total', 'WebRTC signals forwarded');
  readonly serverMessages = this.counter('rtsmesh_server_messages_total', 'P2Server messages by result code', ['code']);
  readonly restRequests = this.counter('rtsmesh_rest_requests_total', 'App-server REST API requests by HTTP status', ['status']);
  readonly loginSeconds = new Histogram({
    name: 'rtsmesh_login_duration_seconds', help: 'Time to handle a login, by result code', labelNames: ['code'], buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  readonly relaySeconds = new Histogram({
    name: 'rtsmesh_relay_duration_seconds', help: 'Time from a relay:frame / relay:room request to its reply (checks, store, hand-over)', labelNames: ['event'], buckets: LATENCY_BUCKETS, registers: [this.registry],
  });
  readonly unauthenticated = this.gauge('rtsmesh_unauthenticated_connections', 'Sockets on this process that have not logged in yet');
  readonly unauthenticatedClosed = this.counter('rtsmesh_unauthenticated_closed_total', 'Sockets cut before login: deadline passed or per-address cap', ['reason']);
}
