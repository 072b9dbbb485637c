package dev.coffer.archive.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Version-2 backups on a store written to x25519 recipients and signed by a host key. */
class V2StoreKeysTest {

  @TempDir Path temp;

  @Test
  void backupToARecipient_restoresWithItsIdentityOnly_andSignedChainsOpenOnlyForTheTrustedHost()
      throws Exception {
    SecureRandom random = new SecureRandom();
    X25519Identity identity = X25519Identity.generate(random);
    HostSigningKey host = HostSigningKey.generate(random);
    try (V2StoreFixture fx = V2StoreFixture.on(V2StoreFixture.Where.JIMFS, temp)) {
      Path src = fx.root.resolve("src");
      V2StoreFixture.tree(src, 21);
      V2ArchiveWriter writer =
          new V2ArchiveWriter(
              fx.location,
              Recipients.x25519(List.of(identity.recipient())),
              Optional.of(host),
              V2WriteOptions.DEFAULT);
      String base = writer.full(src).backupId();
      V2ArchiveReader owner =
          new V2ArchiveReader(fx.location, Identities.x25519(List.of(identity)));
      Files.write(src.resolve("more"), V2Fixtures.noise(3000, 1));
      String tip;
      try (V2Backup b = owner.open(base)) {
        tip = writer.incremental(src, b).backupId();
      }

      Path out = fx.root.resolve("out");
      owner.trustingOnly(host.publicKey()).restore(tip, out);
      assertEquals(V2StoreFixture.snapshot(src), V2StoreFixture.snapshot(out));
      assertThrows(
          WrongKeyException.class, () -> fx.reader().open(tip), "the symmetric key has no slot");
      V2ArchiveReader distrustful = owner.trustingOnly(HostSigningKey.generate(random).publicKey());
      assertThrows(CorruptBackupException.class, () -> distrustful.open(tip));

      String unsigned = fx.writer(V2WriteOptions.DEFAULT).full(src).backupId();
      V2ArchiveReader symmetric = fx.reader();
      symmetric.open(unsigned).close();
      assertThrows(
          CorruptBackupException.class,
          () -> symmetric.trustingOnly(host.publicKey()).open(unsigned));
    }
  }
}
