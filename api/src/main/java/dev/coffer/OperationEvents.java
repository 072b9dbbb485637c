package dev.coffer;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The JDK Flight Recorder events {@link ObservedRepository} commits, one per operation, named
 * {@code dev.coffer.Backup}, {@code dev.coffer.Restore}, {@code dev.coffer.Verify}, {@code
 * dev.coffer.Delete} and {@code dev.coffer.Prune} (see docs/observability.md). Each has the
 * operation's duration (JFR's own field), the provider, the backup id, counts, sizes and an
 * outcome; no paths, no option values. A value that was not measured is -1.
 */
final class OperationEvents {

  private OperationEvents() {}

  /** The fields every Coffer operation event has. */
  @Category({"Coffer"})
  @StackTrace(false)
  abstract static class Operation extends Event {
    @Label("Provider")
    @Description("The name of the provider that ran the operation")
    String provider;

    @Label("Backup Id")
    String backupId;

    @Label("Files")
    @Description("Regular files in the backup (or checked, or deleted)")
    long files = -1;

    @Label("Logical Bytes")
    @Description("The sum of the sizes of those files")
    @DataAmount
    long logicalBytes = -1;

    @Label("Stored Bytes")
    @Description(
        "Bytes the backup occupies in the repository beyond other backups (BackupRepository.size)")
    @DataAmount
    long storedBytes = -1;

    @Label("Outcome")
    @Description(
        "ok; problems (verify found some); or the simple class name of the exception thrown")
    String outcome;

    abstract String operation();

    /** One line for the log: the same fields as the event, no path. */
    String summary() {
      return operation()
          + " "
          + (backupId == null ? "" : backupId + " ")
          + "by "
          + provider
          + ": "
          + outcome
          + (files >= 0 ? ", " + files + " files" : "")
          + (logicalBytes >= 0 ? ", " + logicalBytes + " bytes" : "")
          + (storedBytes >= 0 ? ", " + storedBytes + " stored" : "");
    }
  }

  @Name("dev.coffer.Backup")
  @Label("Coffer Backup")
  @Description("A full or incremental backup")
  static final class Backup extends Operation {
    @Label("Incremental")
    boolean incremental;

    @Override
    String operation() {
      return incremental ? "incremental backup" : "backup";
    }
  }

  @Name("dev.coffer.Restore")
  @Label("Coffer Restore")
  @Description("A restore of all or part of a backup")
  static final class Restore extends Operation {
    @Label("Partial")
    boolean partial;

    @Override
    String operation() {
      return partial ? "partial restore of" : "restore of";
    }
  }

  @Name("dev.coffer.Verify")
  @Label("Coffer Verify")
  @Description("A verification that reads every stored byte of a backup")
  static final class Verify extends Operation {
    @Label("Problems")
    @Description("How many problems the verification found")
    int problems = -1;

    @Override
    String operation() {
      return "verify of";
    }

    @Override
    String summary() {
      return super.summary() + (problems > 0 ? ", " + problems + " problems" : "");
    }
  }

  @Name("dev.coffer.Delete")
  @Label("Coffer Delete")
  @Description("The deletion of one backup")
  static final class Delete extends Operation {
    @Override
    String operation() {
      return "delete of";
    }
  }

  @Name("dev.coffer.Prune")
  @Label("Coffer Prune")
  @Description("A prune by retention policy; files and bytes are the deleted backups' totals")
  static final class Prune extends Operation {
    @Label("Backups Deleted")
    int backupsDeleted = -1;

    @Override
    String operation() {
      return "prune";
    }

    @Override
    String summary() {
      return super.summary() + ", " + backupsDeleted + " backups deleted";
    }
  }
}
