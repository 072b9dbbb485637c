package dev.coffer.archive.v2;

import dev.coffer.RepositoryInfo;
import dev.coffer.archive.ArchiveBackupProvider;
import dev.coffer.archive.SecretBytes;
import dev.coffer.spi.support.BackupIds;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** Format-2 repositories opened on a store without the provider, for tests that reach inside. */
final class V2Repos {

  private V2Repos() {}

  /** Opens (creating) the repository at the root of {@code store} with a raw key. */
  static V2Repository open(ObjectStore store, byte[] key, Clock clock) throws IOException {
    MasterKeys keys =
        new MasterKeys() {
          @Override
          public boolean passphrase() {
            return false;
          }

          @Override
          public int[] newArgon2Parameters() {
            return new int[] {8, 1, 1};
          }

          @Override
          public SecretBytes master(int[] argon2, byte[] salt) {
            return new SecretBytes(key);
          }
        };
    return V2Places.inStore(store, settings(keys, List.of(), List.of(), store, clock), null);
  }

  /** Opens the write-only or identity-holding repository at the root of {@code store}. */
  static V2Repository open(
      ObjectStore store,
      List<X25519Recipient> recipients,
      List<X25519Identity> identities,
      Clock clock)
      throws IOException {
    return V2Places.inStore(store, settings(null, recipients, identities, store, clock), null);
  }

  private static V2Settings settings(
      MasterKeys keys,
      List<X25519Recipient> recipients,
      List<X25519Identity> identities,
      ObjectStore store,
      Clock clock) {
    return new V2Settings(
        null,
        null,
        keys,
        recipients,
        identities,
        new StoreWriterLocks(store, clock),
        1,
        1,
        false,
        ChangedFilesPolicy.DEFAULT,
        clock,
        () -> BackupIds.newId().value(),
        RepositoryInfo.of(new ArchiveBackupProvider(), store),
        BlockSealer.DEFAULT_BLOCK_SIZE_BYTES);
  }

  /** A one-file source tree under {@code dir} holding {@code text}. */
  static Path source(Path dir, String text) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("PG_VERSION"), text);
    return dir;
  }
}
