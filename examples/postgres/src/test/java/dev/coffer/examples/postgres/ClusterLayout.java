package dev.coffer.examples.postgres;

import java.util.Locale;

/**
 * The shapes of test cluster: plain, or with links (a separate WAL directory and one tablespace).
 */
enum ClusterLayout {
  /** Everything in the data directory. */
  PLAIN,
  /**
   * {@code initdb --waldir} ({@code pg_wal} is a link) and a tablespace {@code space} (a link in
   * pg_tblspc).
   */
  WALDIR_AND_TABLESPACE;

  /** Whether the cluster has symbolic links. */
  boolean links() {
    return this == WALDIR_AND_TABLESPACE;
  }

  /** The clause that puts a new table in the layout's tablespace, if it has one. */
  String tableClause() {
    return links() ? " TABLESPACE space" : "";
  }

  /** A lower-case name for files and directories. */
  String fileName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
