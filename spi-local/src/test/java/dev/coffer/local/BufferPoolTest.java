package dev.coffer.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.BackupId;
import dev.coffer.BackupRequest;
import dev.coffer.RestoreRequest;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The copy buffers a repository instance keeps for reuse. */
class BufferPoolTest {

  @TempDir Path tmp;

  /** Takes as many buffers as are kept (so none is left kept), by identity. */
  private static Set<ByteBuffer> takeKept(BufferPool pool, long largestFileBytes) {
    Set<ByteBuffer> taken = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < BufferPool.KEPT; i++) {
      taken.add(pool.buffer(largestFileBytes));
    }
    return taken;
  }

  @Test
  void releasedFullSizeBuffersAreHandedOutAgain_cleared_atMostKeptOfThem() {
    BufferPool pool = new BufferPool();
    Set<ByteBuffer> mine = takeKept(pool, BufferPool.BUFFER_BYTES);
    ByteBuffer extra = pool.buffer(BufferPool.BUFFER_BYTES);
    for (ByteBuffer b : mine) {
      b.position(5).limit(17);
      pool.release(b);
    }
    pool.release(extra); // one more than are kept
    Set<ByteBuffer> again = takeKept(pool, 1); // a kept one is full size whatever was asked
    for (ByteBuffer b : again) {
      assertEquals(0, b.position());
      assertEquals(b.capacity(), b.limit());
    }
    assertEquals(mine, again);
    assertNotSame(extra, pool.buffer(BufferPool.BUFFER_BYTES));
    again.forEach(pool::release);
  }

  @Test
  void aBufferReleasedTwiceIsKeptOnce_soTwoThreadsNeverShareIt() {
    BufferPool pool = new BufferPool();
    Set<ByteBuffer> drained = takeKept(pool, BufferPool.BUFFER_BYTES);
    ByteBuffer b = drained.iterator().next();
    drained.remove(b);
    pool.release(b);
    pool.release(b);
    assertSame(b, pool.buffer(BufferPool.BUFFER_BYTES));
    assertNotSame(b, pool.buffer(BufferPool.BUFFER_BYTES));
    ByteBuffer small = pool.buffer(100);
    assertEquals(8192, small.capacity(), "nothing kept: sized to the need");
    pool.release(small);
    assertNotSame(small, pool.buffer(100), "small buffers are not kept");
    drained.forEach(pool::release);
    pool.release(b);
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "true"})
  void backupsRestoresAndVerifiesGiveBackEveryKeptBufferTheyTook(String compareCrc)
      throws Exception {
    Path source = Trees.populate(tmp.resolve("source"));
    Trees.write(source, "big.dat", new byte[3 << 20]);
    Set<ByteBuffer> mine;
    Set<ByteBuffer> after;
    try (LocalRepository repo =
        LocalRepository.open(
            tmp.resolve("repo"),
            new Settings(false, Boolean.parseBoolean(compareCrc), true, BufferPool.KEPT),
            new LocalBackupProvider())) {
      mine = takeKept(repo.buffers(), BufferPool.BUFFER_BYTES);
      mine.forEach(repo.buffers()::release);
      BackupId full = repo.backup(source).id();
      Trees.write(source, "file1.dat", "changed");
      BackupId inc = repo.backup(BackupRequest.incremental(source, full)).id();
      assertTrue(repo.verify(inc).ok());
      repo.restore(RestoreRequest.of(inc, tmp.resolve("restored")));
      after = takeKept(repo.buffers(), BufferPool.BUFFER_BYTES);
    }
    assertEquals(mine, after, "the same kept buffers, none dropped for a fresh one");
  }
}
