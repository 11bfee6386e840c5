/** Public API of the fake Intercom server. */
export { startFakeIntercom, SUPPORTED_VERSIONS, UNLIMITED_RATE } from './server.js';
export type { FakeIntercom } from './server.js';
export { FakeWrites } from './writes.js';
export { shapesForSeed } from './shapes.js';
export type { ListShapes, NextShape } from './shapes.js';
export type { WriteLogEntry, WrittenEvent, WrittenReply } from './writes.js';
export { Workspace, DEFAULT_SIZE, PART_CAP, EMBED_CAP, EVENTS_WINDOW_DAYS, htmlToPlain, cur } from './workspace.js';
export type {
  Json,
  JsonValue,
  VersionEntry,
  RecordCore,
  ContactCore,
  CompanyCore,
  ConversationCore,
  TicketCore,
} from './workspace.js';
export type {
  FakeIntercomOptions,
  WorkspaceSize,
  FaultRule,
  FaultKind,
  RecordRewrite,
  MutationSpec,
  MutationResult,
  MutableStream,
  MutateEvery,
  FakeStats,
  WindowCount,
  GroundTruth,
  TruncatedInfo,
} from './types.js';
