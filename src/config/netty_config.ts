/**
 * Socket-level settings upstream keeps in NettyServerConfig / NettyClientConfig. Both the name server
 * and the broker read them from the same properties file as their own config (operations.md §4.2), so
 * the schemas are spread into NamesrvConfigSchema and BrokerConfigSchema. Most are accepted for
 * compatibility (a file that sets them must load) and only some change rmq's behaviour.
 */
import { bool, int, long, str } from "./schema.ts";
import { cpuCount } from "./host.ts";

/** Server-socket keys except `listenPort`, whose default differs per role. */
export const NettyServerConfigSchema = {
  serverWorkerThreads: int(8, { min: 1 }),
  serverCallbackExecutorThreads: int(0, { min: 0 }),
  serverSelectorThreads: int(3, { min: 1 }),
  serverOnewaySemaphoreValue: int(256, { min: 1 }),
  serverAsyncSemaphoreValue: int(64, { min: 1 }),
  serverChannelMaxIdleTimeSeconds: int(120, { min: 0 }),
  serverSocketSndBufSize: int(0, { min: 0 }),
  serverSocketRcvBufSize: int(0, { min: 0 }),
  serverPooledByteBufAllocatorEnable: bool(true),
  useEpollNativeSelector: bool(false),
  /** rmq extra: interface the server binds; upstream always binds every interface. */
  listenHost: str("0.0.0.0"),
} as const;

/** Client-socket keys (the broker's connections to name servers and, for callbacks, to clients). */
export const NettyClientConfigSchema = {
  clientWorkerThreads: int(4, { min: 1 }),
  clientCallbackExecutorThreads: int(cpuCount(), { min: 1 }),
  clientOnewaySemaphoreValue: int(65535, { min: 1 }),
  clientAsyncSemaphoreValue: int(65535, { min: 1 }),
  connectTimeoutMillis: int(3000, { min: 1 }),
  channelNotActiveInterval: long(60000, { min: 0 }),
  clientChannelMaxIdleTimeSeconds: int(120, { min: 0 }),
  clientSocketSndBufSize: int(0, { min: 0 }),
  clientSocketRcvBufSize: int(0, { min: 0 }),
  clientPooledByteBufAllocatorEnable: bool(false),
  clientCloseSocketIfTimeout: bool(false),
  useTLS: bool(false),
} as const;
