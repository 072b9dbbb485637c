package dev.coffer.testkit;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures what a provider logs through {@link System.Logger} under one logger name (and its
 * children), for tests that assert a warning was given, or that a secret never appears in a log
 * line. It relies on the JDK's default {@code System.LoggerFinder}, which bridges to {@code
 * java.util.logging}; a host that installs another finder sees the same records in its own logging
 * instead.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.start("dev.coffer.archive")) {
 *   repo.list();
 *   assertTrue(log.contains(System.Logger.Level.WARNING, "left out of the listing"));
 * }
 * }</pre>
 *
 * <p>Captures every level from {@code TRACE} up while open, and restores the logger's level on
 * close. Not for concurrent use by several tests on one logger name.
 */
public final class LogCapture implements AutoCloseable {

  /**
   * One captured log line.
   *
   * @param logger the logger's name
   * @param level the level it was logged at
   * @param message the message, with its parameters filled in
   */
  public record Entry(String logger, Level level, String message) {
    /**
     * Validates the components.
     *
     * @param logger as described on the record
     * @param level as described on the record
     * @param message as described on the record
     */
    public Entry {
      Objects.requireNonNull(logger, "logger");
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(message, "message");
    }
  }

  private final Logger logger;
  private final java.util.logging.Level previous;
  private final List<Entry> entries = new ArrayList<>();
  private final Handler handler =
      new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord r) {
          synchronized (entries) {
            entries.add(
                new Entry(r.getLoggerName(), level(r.getLevel()), formatter.formatMessage(r)));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private LogCapture(String name) {
    this.logger = Logger.getLogger(name);
    this.previous = logger.getLevel();
    logger.setLevel(java.util.logging.Level.ALL);
    logger.addHandler(handler);
  }

  /**
   * Starts capturing the logger {@code name} and its children.
   *
   * @param name a logger name such as {@code dev.coffer.local}
   * @return the capture; close it to stop
   */
  public static LogCapture start(String name) {
    return new LogCapture(Objects.requireNonNull(name, "name"));
  }

  /**
   * Returns what was logged so far, in order.
   *
   * @return the captured entries
   */
  public List<Entry> entries() {
    synchronized (entries) {
      return List.copyOf(entries);
    }
  }

  /**
   * Whether a line at {@code level} containing {@code text} was logged.
   *
   * @param level the level
   * @param text a part of the message
   * @return true when such a line was captured
   */
  public boolean contains(Level level, String text) {
    return entries().stream().anyMatch(e -> e.level() == level && e.message().contains(text));
  }

  /** Stops capturing and restores the logger's level. */
  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setLevel(previous);
  }

  private static Level level(java.util.logging.Level l) {
    int v = l.intValue();
    if (v >= java.util.logging.Level.SEVERE.intValue()) {
      return Level.ERROR;
    } else if (v >= java.util.logging.Level.WARNING.intValue()) {
      return Level.WARNING;
    } else if (v >= java.util.logging.Level.INFO.intValue()) {
      return Level.INFO;
    } else if (v >= java.util.logging.Level.FINE.intValue()) {
      return Level.DEBUG;
    }
    return Level.TRACE;
  }
}
