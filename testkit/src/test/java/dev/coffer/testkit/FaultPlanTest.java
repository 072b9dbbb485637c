package dev.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.testkit.FaultyFileSystem.Operation;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault plan on its own: plain Jimfs paths, no forwarding file system in between. */
class FaultPlanTest {

  private final FaultPlan plan = new FaultPlan();
  private FileSystem jimfs;
  private Path dir;

  @BeforeEach
  void setUp() throws IOException {
    jimfs = Jimfs.newFileSystem(Configuration.unix());
    dir = Files.createDirectories(jimfs.getPath("/work"));
  }

  @AfterEach
  void tearDown() throws IOException {
    jimfs.close();
  }

  @Test
  void failAt_failsOnlyTheNthOperationOfTheGivenKinds_andThenClears() throws IOException {
    plan.failAt(2, Operation.FORCE);
    plan.before(Operation.WRITE, dir);
    plan.before(Operation.FORCE, dir);
    plan.before(Operation.WRITE, dir);
    IOException e = assertThrows(IOException.class, () -> plan.before(Operation.FORCE, dir));
    assertTrue(e.getMessage().contains("injected failure of FORCE /work"), e.getMessage());
    plan.before(Operation.FORCE, dir);
    assertEquals(5, plan.operations(), "every operation is counted, the failed one included");
    assertFalse(plan.crashed());
  }

  @Test
  void failAt_withoutKinds_countsEveryKind() throws IOException {
    plan.failAt(3);
    plan.before(Operation.CREATE, dir);
    plan.before(Operation.DELETE, dir);
    assertThrows(IOException.class, () -> plan.before(Operation.MOVE, dir));
  }

  @Test
  void operationNumbersStartAtOne_andByteLimitsAreNotNegative() {
    assertThrows(IllegalArgumentException.class, () -> plan.failAt(0));
    assertThrows(IllegalArgumentException.class, () -> plan.crashAt(-1));
    assertThrows(IllegalArgumentException.class, () -> plan.diskFullAfter(-1));
  }

  @Test
  void resetCount_startsCountingAgain() throws IOException {
    plan.before(Operation.WRITE, dir);
    plan.resetCount();
    plan.before(Operation.WRITE, dir);
    assertEquals(1, plan.operations());
  }

  @Test
  void crashAt_dropsBytesWrittenAfterTheLastForce_andFailsEverythingUntilRecover()
      throws IOException {
    Path file = dir.resolve("data");
    Files.writeString(file, "0123");
    plan.opened(file, true);
    plan.forced(file, 4);
    Files.writeString(file, "0123456789");
    plan.crashAt(2);
    plan.before(Operation.WRITE, file);
    assertThrows(IOException.class, () -> plan.before(Operation.WRITE, file));
    assertTrue(plan.crashed());
    assertEquals("0123", Files.readString(file));
    assertThrows(IOException.class, () -> plan.checkAlive(file));
    assertThrows(IOException.class, () -> plan.before(Operation.CREATE, file));
    plan.clearFaults();
    assertTrue(plan.crashed(), "clearFaults does not end a crash");
    plan.recover();
    assertFalse(plan.crashed());
    assertDoesNotThrow(() -> plan.checkAlive(file));
    assertDoesNotThrow(() -> plan.before(Operation.WRITE, file));
  }

  @Test
  void crash_keepsTheLengthAFileHadWhenOpenedWithoutTruncation_andEmptiesANeverForcedNewFile()
      throws IOException {
    Path old = Files.writeString(dir.resolve("old"), "kept");
    plan.opened(old, false);
    Files.writeString(old, "kept and more");
    Path fresh = Files.writeString(dir.resolve("fresh"), "lost");
    plan.opened(fresh, true);
    plan.crash();
    assertEquals("kept", Files.readString(old));
    assertEquals(0, Files.size(fresh));
  }

  @Test
  void moved_tracksDurableLengthsBelowTheNewName_andDeleteForgetsAFile() throws IOException {
    Path staging = Files.createDirectories(dir.resolve("staging"));
    Path file = Files.writeString(staging.resolve("a"), "abc");
    plan.opened(file, true);
    plan.forced(file, 3);
    Files.writeString(file, "abcdef");
    Path gone = Files.writeString(dir.resolve("gone"), "x");
    plan.opened(gone, true);
    Path published = dir.resolve("published");
    Files.move(staging, published);
    plan.moved(staging, published);
    Files.delete(gone);
    plan.deleted(gone);
    Files.writeString(gone, "a new file of the same name, not written through the plan");
    plan.crash();
    assertEquals("abc", Files.readString(published.resolve("a")));
    assertEquals(
        "a new file of the same name, not written through the plan", Files.readString(gone));
  }

  @Test
  void diskFullAfter_allowsExactlyTheRemainingBytes_untilCleared() {
    assertEquals(1 << 20, plan.allowWrite(1 << 20), "no limit by default");
    plan.diskFullAfter(10);
    assertEquals(6, plan.allowWrite(6));
    assertEquals(4, plan.allowWrite(6));
    assertEquals(0, plan.allowWrite(1));
    plan.clearFaults();
    assertEquals(100, plan.allowWrite(100));
  }

  @Test
  void shortReads_areOffByDefault_andClearedWithTheOtherFaults() {
    assertFalse(plan.shortReadsEnabled());
    plan.shortReads(true);
    assertTrue(plan.shortReadsEnabled());
    plan.clearFaults();
    assertFalse(plan.shortReadsEnabled());
  }

  @Test
  void refusedOwnerChanges_failAsForANonRootProcess_andSurviveClearFaults() throws IOException {
    plan.checkOwnerChange(dir);
    plan.refuseOwnerChanges(true);
    plan.clearFaults();
    FileSystemException e =
        assertThrows(FileSystemException.class, () -> plan.checkOwnerChange(dir));
    assertTrue(e.getMessage().contains("Operation not permitted"), e.getMessage());
    plan.refuseOwnerChanges(false);
    plan.checkOwnerChange(dir);
  }

  @Test
  void changed_tellsTheWatcher_untilItIsRemoved() {
    List<Path> seen = new ArrayList<>();
    plan.changed(dir);
    plan.watchAttributes(seen::add);
    plan.changed(dir.resolve("a"));
    plan.watchAttributes(null);
    plan.changed(dir.resolve("b"));
    assertEquals(List.of(dir.resolve("a")), seen);
  }

  @Test
  void afterReads_runsTheActionOnceAfterTheNthReadOfThatFileOnly() {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    List<Path> seen = new ArrayList<>();
    plan.afterReads(a, 2, seen::add);
    plan.read(a);
    plan.read(b);
    assertTrue(seen.isEmpty(), "not yet: one read of a so far");
    plan.read(a);
    assertEquals(List.of(a), seen);
    plan.read(a);
    assertEquals(List.of(a), seen, "runs once");
    assertThrows(IllegalArgumentException.class, () -> plan.afterReads(a, 0, seen::add));
  }

  @Test
  void clearFaults_removesPlannedReadActions() {
    Path a = dir.resolve("a");
    List<Path> seen = new ArrayList<>();
    plan.afterReads(a, 1, seen::add);
    plan.clearFaults();
    plan.read(a);
    assertTrue(seen.isEmpty());
  }

  @Test
  void beforeOpenForReading_runsTheActionOnceAtTheNextOpenOfThatFileOnly() {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    List<Path> seen = new ArrayList<>();
    plan.beforeOpenForReading(a, seen::add);
    plan.openingForReading(b);
    assertTrue(seen.isEmpty(), "another file's open runs nothing");
    plan.openingForReading(a);
    assertEquals(List.of(a), seen);
    plan.openingForReading(a);
    assertEquals(List.of(a), seen, "runs once");
  }

  @Test
  void clearFaults_removesPlannedOpenActions() {
    Path a = dir.resolve("a");
    List<Path> seen = new ArrayList<>();
    plan.beforeOpenForReading(a, seen::add);
    plan.clearFaults();
    plan.openingForReading(a);
    assertTrue(seen.isEmpty());
  }
}
