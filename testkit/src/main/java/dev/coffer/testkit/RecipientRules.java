package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.Capability;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * Rule P35 of the provider contract (capability RECIPIENTS): a repository written with public keys
 * only cannot be read with them, and reads with the matching identity.
 */
final class RecipientRules extends ConformanceEnvironment {

  /** The conformance test's key pair for a directory, or null when it declares none. */
  interface Keys {
    RecipientKeys in(Path keyDirectory) throws IOException;
  }

  private final Keys keys;

  RecipientRules(ConformanceEnvironment env, Keys keys) {
    super(env);
    this.keys = keys;
  }

  void p35_recipientsCapability_publicKeysWriteButOnlyTheIdentityReads(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.RECIPIENTS), "no RECIPIENTS capability: nothing to check");
    Path root = root(fs);
    RecipientKeys pair = keys.in(Files.createDirectories(root.resolve("keys")));
    Assumptions.assumeTrue(
        pair != null, "P35 not exercised: the conformance test gives no recipientKeys()");
    Path source = smallTree(root.resolve("src"));
    String marker = "CofferTckRecipientMarker" + Long.toHexString(seed);
    Files.writeString(source.resolve("planted.txt"), (marker + "\n").repeat(40));
    Snapshot expected = Snapshot.of(source);
    Path location = root.resolve("repo");
    BackupRepository host = open(location, provider, pair.writeOnly());
    BackupMetadata b = host.backup(source);
    for (Map.Entry<String, Snapshot.Entry> e : Snapshot.of(location).entries().entrySet()) {
      byte[] bytes = e.getValue().bytes();
      check(
          bytes == null || indexOf(bytes, marker.getBytes(StandardCharsets.UTF_8)) < 0,
          "P35",
          () -> "stored file " + e.getKey() + " of a write-only repository holds the plaintext");
    }
    Snapshot repository = Snapshot.of(location);
    Path target = root.resolve("t-public");
    expect(
        WrongKeyException.class,
        "P35",
        "a restore with public keys only",
        () -> host.restore(b.id(), target));
    check(!Files.exists(target), "P35", () -> "a refused restore created " + target);
    try {
      VerifyReport r = host.verify(b.id());
      check(
          r.filesChecked() == 0 && r.bytesChecked() == 0,
          "P35",
          () -> "verify with public keys only claims to have read content: " + r);
    } catch (WrongKeyException refused) {
      // refusing is the other allowed answer
    }
    unchanged("P35", "a write-only host's refused reads", repository, location);
    BackupRepository reader = open(location, provider, pair.reader());
    Path restored = root.resolve("t-identity");
    reader.restore(b.id(), restored);
    sameTree("P35", "a restore with the identity", expected, restored);
    VerifyReport r = reader.verify(b.id());
    check(
        r.ok() && r.bytesChecked() == b.totalBytes(),
        "P35",
        () -> "verify with the identity did not read every byte: " + r);
  }
}
