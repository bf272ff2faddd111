export {
  createLogger,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  scrubSecrets,
  serializeError,
  silentLogger,
} from "./log.ts";
