package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import dev.coffer.NoSuchBackupException;
import dev.coffer.Progress;
import dev.coffer.ProgressListener;
import dev.coffer.VerifyReport;
import dev.coffer.store.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code verify} on a write-only host (recipients, no identity; issue 19), which cannot open a key
 * slot: checks everything that needs no key and reads no file content. Per backup of the chain (the
 * backup, then each base its commit summary names): the commit decodes for this repository and id,
 * its signature verifies ({@code trusted-host}'s key when given, else the key it names), the data
 * object has the length the commit states, the manifest object has the stated length and SHA-256,
 * the metadata object exists and is within bounds. The report counts 0 files and 0 bytes checked,
 * and the log says that content was not checked; with {@code identity-file}, {@link
 * V2VerifyOperation} reads every byte.
 */
final class V2StructureVerify {

  private static final System.Logger LOG = System.getLogger("dev.coffer.archive");

  private final V2Repository repo;
  private final String id;
  private final ProgressListener listener;
  private final List<VerifyReport.Problem> problems = new ArrayList<>();

  V2StructureVerify(V2Repository repo, String id, ProgressListener listener) {
    this.repo = repo;
    this.id = id;
    this.listener = listener;
  }

  VerifyReport run() throws IOException {
    V2Layout layout = repo.layout();
    long files = -1;
    long bytes = -1;
    String at = id;
    Set<String> seen = new HashSet<>();
    while (at != null && seen.add(at) && seen.size() <= V2Format.MAX_CHAIN) {
      V2Commits.Commit commit;
      try {
        commit = V2Commits.read(repo.v2, at);
      } catch (NoSuchBackupException e) {
        problem(layout.commit(at), VerifyReport.Kind.MISSING, "base " + at + " is missing");
        break;
      } catch (CorruptBackupException e) {
        problem(layout.commit(at), VerifyReport.Kind.METADATA, String.valueOf(e.getMessage()));
        break;
      }
      if (files < 0) {
        files = commit.summary().files();
        bytes = commit.summary().logicalBytes();
        progress(files, bytes);
      }
      check(at, commit.object());
      at = commit.summary().baseBackupId();
    }
    if (at != null && seen.size() > V2Format.MAX_CHAIN) {
      problem(layout.commit(id), VerifyReport.Kind.METADATA, "chain longer than the format allows");
    }
    LOG.log(
        System.Logger.Level.WARNING,
        "verify of backup {0} checked structure and signatures only: file content was not read "
            + "(a write-only host has no identity; give identity-file to read every byte)",
        id);
    progress(Math.max(files, 0), Math.max(bytes, 0));
    return new VerifyReport(id, problems, 0, 0);
  }

  /** The checks of one backup of the chain that need no key. */
  private void check(String backup, CommitObject commit) throws IOException {
    V2Layout layout = repo.layout();
    CommitStatement s = commit.statement();
    try {
      Optional<HostPublicKey> signer =
          Optional.ofNullable(repo.settings.trustedHost).or(commit::signer);
      if (signer.isPresent()) {
        commit.verifySignature(signer.get());
      }
    } catch (CorruptBackupException e) {
      problem(layout.commit(backup), VerifyReport.Kind.METADATA, String.valueOf(e.getMessage()));
    }
    Optional<ObjectInfo> data = repo.store.stat(layout.data(backup));
    if (data.isEmpty()) {
      problem(layout.data(backup), VerifyReport.Kind.MISSING, "stored object is missing");
    } else if (data.get().sizeBytes() != s.dataLengthBytes()) {
      problem(
          layout.data(backup),
          VerifyReport.Kind.CORRUPT,
          "data object is "
              + data.get().sizeBytes()
              + " bytes, its commit says "
              + s.dataLengthBytes());
    }
    checkManifest(backup, s);
    Optional<ObjectInfo> meta = repo.store.stat(layout.meta(backup));
    if (meta.isEmpty()) {
      problem(layout.meta(backup), VerifyReport.Kind.MISSING, "stored object is missing");
    } else if (meta.get().sizeBytes() > V2Metadata.MAX_BYTES) {
      problem(layout.meta(backup), VerifyReport.Kind.METADATA, "metadata object is too large");
    }
  }

  private void checkManifest(String backup, CommitStatement s) throws IOException {
    String key = repo.layout().manifest(backup);
    byte[] sealed;
    try (InputStream in = repo.store.read(key, 0, s.manifestLengthBytes() + 1)) {
      sealed = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, s.manifestLengthBytes() + 1));
    } catch (NoSuchFileException e) {
      problem(key, VerifyReport.Kind.MISSING, "stored object is missing");
      return;
    }
    if (sealed.length != s.manifestLengthBytes()
        || !MessageDigest.isEqual(ManifestSealer.hash(sealed), s.manifestSha256())) {
      problem(
          key,
          VerifyReport.Kind.METADATA,
          "manifest object ("
              + sealed.length
              + " bytes) is not the one its commit states ("
              + s.manifestLengthBytes()
              + " bytes and its SHA-256)");
    }
  }

  private void progress(long files, long bytes) {
    listener.onProgress(new Progress(Progress.Phase.VERIFY, 0, files, 0, bytes, ""));
  }

  private void problem(String path, VerifyReport.Kind kind, String detail) {
    problems.add(new VerifyReport.Problem(path, kind, detail));
  }
}
