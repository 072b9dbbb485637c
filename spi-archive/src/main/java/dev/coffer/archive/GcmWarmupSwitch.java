package dev.coffer.archive;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The seam of the cipher warm-up: the provider owns one switch and hands it, through {@link
 * ArchiveSettings}, to every GCM sealer of its repositories; the first sealer past {@link
 * ChunkSealer.Gcm#WARM_UP_AFTER_CHUNKS} chunks starts {@link GcmWarmup}, once per switch. Kept
 * apart from {@code GcmWarmup} so that a listing, which makes a switch but never flips it, loads no
 * warm-up code. Thread-safe.
 */
final class GcmWarmupSwitch {

  /** A switch that never starts anything (header probes, tests). */
  static final GcmWarmupSwitch OFF = new GcmWarmupSwitch(false);

  private final boolean enabled;
  private final AtomicBoolean started = new AtomicBoolean();

  GcmWarmupSwitch(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * A switch that is on unless the system property {@code coffer.archive.gcmWarmup} is {@code
   * false}.
   */
  static GcmWarmupSwitch fromSystemProperty() {
    return new GcmWarmupSwitch(
        Boolean.parseBoolean(System.getProperty("coffer.archive.gcmWarmup", "true")));
  }

  /** Starts the warm-up thread, the first time only; does nothing when the switch is off. */
  void start() {
    if (enabled && started.compareAndSet(false, true)) {
      GcmWarmup.startThread();
    }
  }

  /** Whether {@link #start} has started the warm-up. */
  boolean started() {
    return started.get();
  }
}
