package dev.coffer;

/** Whether a backup stands alone or was taken relative to a base backup. */
public enum BackupType {
  /** A complete copy of the source. */
  FULL,
  /** A backup taken relative to a base backup; it records the base's id. */
  INCREMENTAL
}
