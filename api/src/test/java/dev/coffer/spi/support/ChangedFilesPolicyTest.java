package dev.coffer.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupException;
import dev.coffer.BackupWarning;
import dev.coffer.spi.OptionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class ChangedFilesPolicyTest {

  private static final BackupWarning CHANGED =
      new BackupWarning(
          "log/app.log",
          BackupWarning.Kind.CHANGED_WHILE_READ,
          "size 800 -> 100 bytes while it was read");
  private static final BackupWarning VANISHED =
      new BackupWarning(
          "base/1/16384_fsm", BackupWarning.Kind.VANISHED_WHILE_READ, "deleted after the scan");

  private static ChangedFilesPolicy parse(Map<String, String> given) {
    List<OptionInfo> declared = new ArrayList<>(List.of(OptionInfo.flag("fsync", "force", true)));
    declared.addAll(ChangedFilesPolicy.options());
    return ChangedFilesPolicy.of(ProviderOptions.parse("test", declared, given));
  }

  @Test
  void of_withoutTheOptions_isWarnWithThreeRetries() {
    assertEquals(ChangedFilesPolicy.DEFAULT, parse(Map.of()));
    assertEquals(
        new ChangedFilesPolicy(ChangedFilesPolicy.Action.WARN, 3), ChangedFilesPolicy.DEFAULT);
  }

  @Test
  void of_readsTheActionInAnyCaseAndTheRetries() {
    assertEquals(
        new ChangedFilesPolicy(ChangedFilesPolicy.Action.RETRY, 5),
        parse(Map.of("changed-files", "Retry", "changed-retries", "5")));
    assertEquals(ChangedFilesPolicy.Action.FAIL, parse(Map.of("changed-files", "fail")).action());
  }

  @Test
  void of_refusesAnUnknownActionOrRetriesOutOfRange_namingTheOption() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> parse(Map.of("changed-files", "ignore")));
    assertEquals(
        "invalid value 'ignore' for option 'changed-files' of provider 'test': expected warn, retry or fail",
        e.getMessage());
    IllegalArgumentException r =
        assertThrows(IllegalArgumentException.class, () -> parse(Map.of("changed-retries", "0")));
    assertTrue(r.getMessage().contains("changed-retries"), r.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new ChangedFilesPolicy(ChangedFilesPolicy.Action.RETRY, 101));
  }

  @Test
  void readAgain_underWarn_keepsTheWarningAndLogsItOnce() throws BackupException {
    List<LogRecord> logged = new ArrayList<>();
    Logger jul = Logger.getLogger("dev.coffer.backup");
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            logged.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    jul.addHandler(capture);
    try {
      assertFalse(ChangedFilesPolicy.DEFAULT.readAgain(CHANGED, 1));
    } finally {
      jul.removeHandler(capture);
    }
    assertEquals(1, logged.size());
    assertEquals(Level.WARNING, logged.get(0).getLevel());
    String line =
        java.text.MessageFormat.format(logged.get(0).getMessage(), logged.get(0).getParameters());
    assertEquals(
        "file changed while read: log/app.log (size 800 -> 100 bytes while it was read); recorded as a"
            + " warning of the backup",
        line);
  }

  @Test
  void readAgain_underRetry_readsAChangedFileAgainUpToTheRetries_thenWarns()
      throws BackupException {
    ChangedFilesPolicy retry = new ChangedFilesPolicy(ChangedFilesPolicy.Action.RETRY, 2);
    assertTrue(retry.readAgain(CHANGED, 1));
    assertTrue(retry.readAgain(CHANGED, 2));
    assertFalse(retry.readAgain(CHANGED, 3));
  }

  @Test
  void readAgain_underRetry_neverRereadsAVanishedFile() throws BackupException {
    assertFalse(new ChangedFilesPolicy(ChangedFilesPolicy.Action.RETRY, 3).readAgain(VANISHED, 1));
  }

  @Test
  void readAgain_underFail_failsTheBackupNamingTheFileAndTheChange() {
    ChangedFilesPolicy fail = new ChangedFilesPolicy(ChangedFilesPolicy.Action.FAIL, 3);
    BackupException e = assertThrows(BackupException.class, () -> fail.readAgain(CHANGED, 1));
    assertEquals(
        "file changed while read: log/app.log (size 800 -> 100 bytes while it was read); the backup fails"
            + " (changed-files=fail)",
        e.getMessage());
    assertThrows(BackupException.class, () -> fail.readAgain(VANISHED, 1));
  }

  @Test
  void readAgain_refusesAWarningThatIsNotAChange() {
    BackupWarning socket =
        new BackupWarning("s", BackupWarning.Kind.SKIPPED_SPECIAL_FILE, "socket");
    assertThrows(
        IllegalArgumentException.class, () -> ChangedFilesPolicy.DEFAULT.readAgain(socket, 1));
    assertThrows(
        IllegalArgumentException.class, () -> ChangedFilesPolicy.DEFAULT.readAgain(CHANGED, 0));
  }
}
