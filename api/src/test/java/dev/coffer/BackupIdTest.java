package dev.coffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.spi.Capability;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackupIdTest {

  @Test
  void aMalformedId_isRefusedWhereItIsMade_namingIt() {
    for (String bad :
        new String[] {"", ".", "..", "../x", "a/b", "C:\\x", "x y", "\u0000", "a".repeat(129)}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> BackupId.of(bad), bad);
      assertTrue(e.getMessage().startsWith("malformed backup id '"), e.getMessage());
    }
    assertThrows(NullPointerException.class, () -> BackupId.of(null));
  }

  @Test
  void aVeryLongMalformedId_isShownShortened() {
    String pasted = "x".repeat(10_000);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BackupId.of(pasted));
    assertTrue(e.getMessage().length() < 400, e.getMessage().length() + " characters");
  }

  @Test
  void anId_readsAsItsTextAndComparesByIt() {
    BackupId a = BackupId.of("0190e7c4-0000-7000-8000-000000000000");
    assertEquals("0190e7c4-0000-7000-8000-000000000000", a.toString());
    assertEquals(a, BackupId.of(a.value()));
    assertTrue(a.compareTo(BackupId.of("0190e7c5-0000-7000-8000-000000000000")) < 0);
  }

  @Test
  void metadata_givesItsIdsTyped() {
    BackupMetadata full = metadata("full", Instant.EPOCH, null);
    BackupMetadata inc = metadata("inc", Instant.EPOCH.plusSeconds(1), "full");
    assertEquals(BackupId.of("full"), full.id());
    assertEquals(Optional.empty(), full.baseId());
    assertEquals(Optional.of(BackupId.of("full")), inc.baseId());
    assertThrows(IllegalArgumentException.class, () -> metadata("inc", Instant.EPOCH, "../x"));
  }

  @Test
  void incrementalFromLatest_namesTheNewestBackupAsBase_andRefusesAnEmptyRepository()
      throws IOException {
    Listing repo = new Listing(Set.of(Capability.INCREMENTAL));
    assertThrows(
        NoSuchBackupException.class,
        () -> BackupRequest.incrementalFromLatest(repo, Path.of("src")));
    repo.backups.add(metadata("old", Instant.EPOCH, null));
    repo.backups.add(0, metadata("new", Instant.EPOCH.plusSeconds(5), null));
    BackupRequest request = BackupRequest.incrementalFromLatest(repo, Path.of("src"));
    assertTrue(request.incremental());
    assertEquals(BackupId.of("new"), request.baseBackupId());
  }

  @Test
  void pruneCandidates_keepTheBasesOfKeptIncrementals_onlyWhereIncrementalsDependOnThem()
      throws IOException {
    List<BackupMetadata> chain =
        List.of(
            metadata("i1", Instant.EPOCH.plusSeconds(10), "full"),
            metadata("other", Instant.EPOCH.plusSeconds(5), null),
            metadata("full", Instant.EPOCH, null));
    Listing dependent = new Listing(Set.of(Capability.INCREMENTAL));
    dependent.backups.addAll(chain);
    Listing independent =
        new Listing(Set.of(Capability.INCREMENTAL, Capability.INDEPENDENT_INCREMENTALS));
    independent.backups.addAll(chain);
    RetentionPolicy keepOne = RetentionPolicy.keepLast(1);
    assertEquals(List.of("other"), ids(dependent.pruneCandidates(keepOne)));
    assertEquals(List.of("other", "full"), ids(independent.pruneCandidates(keepOne)));
    assertEquals(3, dependent.backups.size(), "candidates are computed, nothing is deleted");
  }

  @Test
  void repositoryInfo_describesTheProviderAndALocationWithoutSecrets() throws Exception {
    RepositoryInfo info = RepositoryInfo.of(new FakeProvider(), Path.of("/var/backups/db"));
    assertEquals("fake", info.provider());
    assertEquals(new FakeProvider().capabilities(), info.capabilities());
    assertEquals(Path.of("/var/backups/db").toUri().toString(), info.location());
    assertFalse(info.supports(Capability.ENCRYPTION), "the fake declares no capability");
    try (BackupRepository repo =
        BackupProviders.open("fake", Path.of("/var/backups/db"), Map.of())) {
      assertEquals(
          info, repo.info(), "the observed wrapper tells what the provider's repository is");
    }
  }

  @Test
  void repositoryInfo_location_dropsUserInformationQueryAndFragment() {
    assertEquals(
        "s3x://bucket.example:9000/backups/db",
        RepositoryInfo.withoutSecrets(
            java.net.URI.create("s3x://AKIA:hunter2@bucket.example:9000/backups/db?token=t0p#f")));
    assertEquals(
        "jimfs://unix/repo",
        RepositoryInfo.withoutSecrets(java.net.URI.create("jimfs://unix/repo")));
    RepositoryInfo info = new RepositoryInfo("p", Set.of(), "somewhere");
    assertThrows(
        UnsupportedOperationException.class, () -> info.capabilities().add(Capability.SYMLINKS));
  }

  private static List<String> ids(List<BackupMetadata> backups) {
    return backups.stream().map(BackupMetadata::backupId).toList();
  }

  private static BackupMetadata metadata(String id, Instant created, String base) {
    return new BackupMetadata(
        id,
        created,
        "src",
        0,
        0,
        base == null ? BackupType.FULL : BackupType.INCREMENTAL,
        base,
        "test",
        "1",
        Map.of());
  }

  /** A repository that only lists, newest first, what the test puts in it. */
  private static final class Listing extends FakeProvider.Opened {
    final List<BackupMetadata> backups = new ArrayList<>();
    private final Set<Capability> capabilities;

    Listing(Set<Capability> capabilities) {
      super(Path.of("repo"), Map.of(), null);
      this.capabilities = capabilities;
    }

    @Override
    public List<BackupMetadata> list() {
      return List.copyOf(backups);
    }

    @Override
    public RepositoryInfo info() {
      return new RepositoryInfo("listing", capabilities, "memory:");
    }
  }
}
