package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The restore's write stage and the AES-GCM warm-up, apart from the provider. */
class RestoreStagesTest {

  private static boolean writerAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("coffer-restore-writer") && t.isAlive());
  }

  @Test
  void writeStage_writesEveryBlockInOrder_andSetsTheTime() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path dir = Files.createDirectories(fs.getPath("/t"));
      Random r = new Random(5);
      byte[][] blocks = new byte[40][];
      try (FileWriterStage w = new FileWriterStage()) {
        for (int f = 0; f < 2; f++) {
          w.open(dir.resolve("f" + f));
          for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new byte[1 + r.nextInt(50_000)];
            r.nextBytes(blocks[i]);
            w.write(blocks[i]);
          }
          w.finish(dir.resolve("f" + f), 1_000_000_000_000L + f);
        }
        w.await();
      }
      assertFalse(writerAlive(), "the write thread stops");
      java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
      for (byte[] b : blocks) {
        expected.write(b);
      }
      assertArrayEquals(expected.toByteArray(), Files.readAllBytes(dir.resolve("f1")));
      assertEquals(1_000_000_000_001L, Files.getLastModifiedTime(dir.resolve("f1")).toMillis());
    }
  }

  @Test
  void writeStage_failure_isThrownToTheCaller_andNothingIsWrittenThroughALink() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path dir = Files.createDirectories(fs.getPath("/t"));
      Path outside = Files.write(fs.getPath("/outside"), new byte[] {7});
      Files.createSymbolicLink(dir.resolve("planted"), outside);
      IOException e;
      try (FileWriterStage w = new FileWriterStage()) {
        w.open(dir.resolve("planted"));
        e =
            assertThrows(
                IOException.class,
                () -> {
                  for (int i = 0; i < 1000; i++) {
                    w.write(new byte[4096]); // the failure surfaces at a later call at the latest
                  }
                  w.finish(dir.resolve("planted"), 0);
                  w.await();
                });
      }
      assertTrue(e instanceof FileAlreadyExistsException, e.toString());
      assertArrayEquals(
          new byte[] {7}, Files.readAllBytes(outside), "the link's target is untouched");
      assertTrue(Files.isSymbolicLink(dir.resolve("planted")));
      assertFalse(writerAlive(), "the write thread stops");
    }
  }

  @Test
  void writeStage_closedMidFile_stopsAndClosesTheFile() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.windows())) {
      Path dir = Files.createDirectories(fs.getPath("C:\\t"));
      try (FileWriterStage w = new FileWriterStage()) {
        w.open(dir.resolve("half"));
        w.write(new byte[100]);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(dir.resolve("half")) && System.nanoTime() < deadline) {
          Thread.onSpinWait(); // the write thread has the file open once it exists
        }
        assertTrue(Files.exists(dir.resolve("half")), "the write thread created the file");
      }
      assertFalse(writerAlive(), "the write thread stops");
      Files.delete(dir.resolve("half")); // closed: deletable even where open files are not
      assertFalse(Files.exists(dir.resolve("half"), LinkOption.NOFOLLOW_LINKS));
    }
  }

  @Test
  void gcmWarmup_sealsAndOpensEveryRound() {
    assertEquals(GcmWarmup.ROUNDS, GcmWarmup.run());
  }

  @Test
  void gcmWarmup_isStartedByTheSealerThatOwnsIt_afterItsFirstChunks_andNeverWhenOff() {
    ArchiveHeader h =
        new ArchiveHeader(
            Mode.ENCRYPTED,
            null,
            null,
            new byte[32],
            Format.DEFAULT_CHUNK_SIZE,
            "00000000-0000-7000-8000-000000000000");
    ArchiveKeys keys = ArchiveKeys.derive(new SecretBytes(new byte[32]), h);
    GcmWarmupSwitch mine = new GcmWarmupSwitch(true);
    ChunkSealer sealer = ChunkSealer.create(Mode.ENCRYPTED, keys, h.hash(), mine);
    ChunkSealer quiet = ChunkSealer.create(Mode.ENCRYPTED, keys, h.hash(), GcmWarmupSwitch.OFF);
    byte[] chunk = new byte[64];
    for (int i = 0; i < ChunkSealer.Gcm.WARM_UP_AFTER_CHUNKS - 1; i++) {
      sealer.seal(i, false, chunk, chunk.length);
      quiet.seal(i, false, chunk, chunk.length);
    }
    assertFalse(mine.started(), "a listing's few chunks start nothing");
    sealer.seal(ChunkSealer.Gcm.WARM_UP_AFTER_CHUNKS, false, chunk, chunk.length);
    quiet.seal(ChunkSealer.Gcm.WARM_UP_AFTER_CHUNKS, false, chunk, chunk.length);
    assertTrue(mine.started());
    assertFalse(GcmWarmupSwitch.OFF.started());
  }
}
