// Prometheus metrics (GET /metrics). Each server owns its Registry so that several servers in one
// process (tests, embedding) never register the same metric twice.
import { Counter, Gauge, Registry } from 'prom-client';

export class SignalingMetrics {
  readonly registry = new Registry();
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
}
