package dev.coffer.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.coffer.BackupInUseException;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.BackupRequest;
import dev.coffer.RetentionPolicy;
import dev.coffer.VerifyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.v2.HostSigningKey;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code verify}, {@code delete} and {@code prune} on a write-only host (issue 19): verify checks
 * structure and signatures without reading content (0 files, 0 bytes checked) and finds what needs
 * no key; with the identity it reads every byte; delete works from the commit summaries; prune
 * needs the identity.
 */
class Format2WriteOnlyVerifyTest {

  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final HostSigningKey db1 = HostSigningKey.generate(new SecureRandom());
  private final HostSigningKey db2 = HostSigningKey.generate(new SecureRandom());
  private WriteOnlyHost w;
  private Path repo;
  private Path src;
  private BackupMetadata full;
  private BackupMetadata incr;

  @BeforeEach
  void backUp() throws IOException {
    w = new WriteOnlyHost(fs.getPath("/work"));
    repo = w.root.resolve("repo");
    src = w.source("src");
    try (BackupRepository host = w.open(repo, w.host(db1, w.root.resolve("state")))) {
      full = host.backup(BackupRequest.full(src));
      WriteOnlyHost.changeBlock(src, 7, 5);
      incr = host.backup(BackupRequest.incremental(src, full.id()));
    }
  }

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private VerifyReport verifyWithoutKey(String id, Map<String, String> options) throws IOException {
    try (BackupRepository host = w.open(repo, options)) {
      return host.verify(dev.coffer.BackupId.of(id));
    }
  }

  private VerifyReport verifyWithIdentity(String id) throws IOException {
    try (BackupRepository reader = w.open(repo, w.reader())) {
      return reader.verify(dev.coffer.BackupId.of(id));
    }
  }

  private Path object(String kind, BackupMetadata b) {
    return repo.resolve(kind).resolve(b.backupId());
  }

  @Test
  void withoutAnIdentity_verifyChecksStructureOnly_andWithItReadsEveryByte() throws IOException {
    for (BackupMetadata b : List.of(full, incr)) {
      VerifyReport structure = verifyWithoutKey(b.backupId(), w.host(db1, null));
      assertTrue(structure.ok(), structure.problems().toString());
      assertEquals(0, structure.filesChecked(), "no content is read without an identity");
      assertEquals(0, structure.bytesChecked());
      VerifyReport content = verifyWithIdentity(b.backupId());
      assertTrue(content.ok(), content.problems().toString());
      assertEquals(3, content.filesChecked());
      assertEquals(b.totalBytes(), content.bytesChecked());
    }
  }

  @Test
  void flippedContent_isFoundOnlyWithTheIdentity() throws IOException {
    Path data = object("data", full);
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= 1; // same length: nothing structural changes
    Files.write(data, bytes);
    assertTrue(verifyWithoutKey(full.backupId(), w.host(db1, null)).ok());
    VerifyReport content = verifyWithIdentity(full.backupId());
    assertEquals(VerifyReport.Kind.CORRUPT, content.problems().get(0).kind());
  }

  @Test
  void withoutAnIdentity_verifyFindsCutDataReplacedManifestsMissingObjectsAndBases()
      throws IOException {
    Path data = object("data", full);
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length - 1));
    assertEquals(
        List.of(VerifyReport.Kind.CORRUPT),
        kinds(verifyWithoutKey(full.backupId(), w.host(db1, null))));
    assertEquals(
        List.of(VerifyReport.Kind.CORRUPT),
        kinds(verifyWithoutKey(incr.backupId(), w.host(db1, null))),
        "a base's data object is part of the incremental's chain");
    Files.copy(
        object("manifests", full),
        object("manifests", incr),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertTrue(
        kinds(verifyWithoutKey(incr.backupId(), w.host(db1, null)))
            .contains(VerifyReport.Kind.METADATA));
    Files.delete(object("meta", incr));
    Files.delete(object("commits", full));
    List<VerifyReport.Kind> found = kinds(verifyWithoutKey(incr.backupId(), w.host(db1, null)));
    assertTrue(found.contains(VerifyReport.Kind.MISSING), found.toString());
    assertEquals(
        2,
        found.stream().filter(k -> k == VerifyReport.Kind.MISSING).count(),
        "the metadata object and the base");
  }

  @Test
  void withoutAnIdentity_aTrustedHostsSignatureIsChecked() throws IOException {
    Map<String, String> trusting = w.host(db1, null);
    trusting.put("trusted-host", db2.publicKey().toString());
    VerifyReport r = verifyWithoutKey(full.backupId(), trusting);
    assertEquals(List.of(VerifyReport.Kind.METADATA), kinds(r));
    assertTrue(r.problems().get(0).detail().contains("another host"), r.problems().toString());
  }

  @Test
  void deleteOnAWriteOnlyHost_worksFromCommitSummaries_andKeepsBases() throws IOException {
    try (BackupRepository host = w.open(repo, w.host(db1, null))) {
      BackupInUseException e =
          assertThrows(BackupInUseException.class, () -> host.delete(full.id()));
      assertTrue(e.getMessage().contains(incr.backupId()), e.getMessage());
      host.delete(incr.id());
      host.delete(full.id());
    }
    try (BackupRepository reader = w.open(repo, w.reader())) {
      assertEquals(List.of(), reader.list());
    }
  }

  @Test
  void pruneOnAWriteOnlyHost_isRefusedNamingIdentityFile_andDeletesNothing() throws IOException {
    try (BackupRepository host = w.open(repo, w.host(db1, null))) {
      WrongKeyException e =
          assertThrows(WrongKeyException.class, () -> host.prune(RetentionPolicy.keepLast(1)));
      assertTrue(e.getMessage().contains("identity-file"), e.getMessage());
    }
    try (BackupRepository reader = w.open(repo, w.reader())) {
      assertEquals(2, reader.list().size());
    }
  }

  private static List<VerifyReport.Kind> kinds(VerifyReport r) {
    return r.problems().stream().map(VerifyReport.Problem::kind).toList();
  }
}
